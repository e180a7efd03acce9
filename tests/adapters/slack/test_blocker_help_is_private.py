"""Slack: a narrated blocker's confirmation names who could help, to its author alone.

Before, "/narrate stuck on postgres autovacuum thresholds" was confirmed with "Noted as #2."
and nobody was pointed anywhere. Now the ephemeral confirmation (the response_url's, for the
author alone) also names the people their own "/narrate who" would name; nothing is
posted, and nobody else gets a message. Signed HTTP into the real Bolt app."""

from __future__ import annotations

from tests.adapters.slack.conftest import until


async def test_the_people_who_could_help_are_named_in_the_ephemeral_confirmation(slack):
    await slack.command("tuned postgres autovacuum thresholds on the orders table", user="U2")
    await until(lambda: len(slack.fake.responses) >= 1)
    await slack.command("stuck on postgres autovacuum thresholds", user="U1")
    await until(lambda: len(slack.fake.responses) >= 2)
    reply = slack.fake.responses[-1]
    assert reply["response_type"] == "ephemeral"
    assert "Noted as #1." in reply["text"]
    assert (
        "Stuck on postgres autovacuum thresholds? <@U2> narrates about it: "
        "/narrate who postgres autovacuum thresholds shows why." in reply["text"]
    )
    # Nobody else was told: nothing was posted, and no other response went out.
    assert not slack.fake.called("chat.postMessage")
    assert not slack.fake.called("chat.postEphemeral")
    assert [n.text for n in await slack.narrations()] == [
        "tuned postgres autovacuum thresholds on the orders table",
        "stuck on postgres autovacuum thresholds",
    ]
