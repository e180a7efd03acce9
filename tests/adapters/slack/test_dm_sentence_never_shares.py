"""Slack: a DM "share 1 dashboards with the data team" never shares #1, a private DM note, with
the workspace (it did once DMs were read as ``/narrate`` text). Signed HTTP into the real Bolt
app; the answer offers to keep the words, and #1 stays where it was."""

from __future__ import annotations

from tests.adapters.slack.conftest import dm_event, until


async def test_a_dm_that_starts_with_share_and_a_number_shares_nothing(slack):
    await slack.event(dm_event("salary negotiation notes, private", "1763800000.000700"), "Ev-note")
    await until(lambda: slack.fake.called("chat.postMessage"))
    assert "Noted as #1." in str(slack.fake.called("chat.postMessage")[0].params["text"])
    await slack.event(
        dm_event("share 1 dashboards with the data team", "1763800000.000800"), "Ev-share"
    )
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= 2)
    answer = slack.fake.called("chat.postMessage")[-1]
    assert answer.params["channel"] == "U1"
    text = str(answer.params["text"])
    assert "visible to everyone" not in text
    assert "Nothing was shared." in text and "I didn't keep this" in text
    assert "/narrate note share 1 dashboards with the data team" in str(answer.params["blocks"])
    assert [(n.text, n.audience) for n in await slack.narrations()] == [
        ("salary negotiation notes, private", "channel")
    ]
