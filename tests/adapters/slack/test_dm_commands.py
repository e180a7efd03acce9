"""Slack: a DM to the bot that reads as a command ("find kafka", "mine") is answered like
``/narrate`` text, never kept as a private note. Signed HTTP into the real Bolt app."""

from __future__ import annotations

from tests.adapters.slack.conftest import dm_event, until


async def test_a_command_in_a_dm_is_answered_and_nothing_is_kept(slack):
    await slack.event(dm_event("find kafka", "1763800000.000700"), "Ev-dm-follow")
    await until(lambda: slack.fake.called("chat.postMessage"))
    [answer] = slack.fake.called("chat.postMessage")
    assert answer.params["channel"] == "U1"
    assert "I didn't keep this" in str(answer.params["text"])
    assert "/narrate note find kafka" in str(answer.params["blocks"])
    await slack.event(dm_event("<@UBOT> mine", "1763800000.000800"), "Ev-dm-mine")
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= 2)
    assert "haven't narrated anything yet" in str(
        slack.fake.called("chat.postMessage")[-1].params["text"]
    )
    assert await slack.narration_count() == 0
