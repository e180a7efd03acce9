"""Slack: one person's answer kept past a rate limit holds back no one else's in that channel.

Later answers wait behind kept ones to keep their order (7f2bb52), but the queue was per
conversation: once U1's mention answer in #general was kept during an hour's block of
``chat.postMessage``, U2's /narrate answer there, which goes through its ``response_url`` (no
block closes it), was kept behind it for the whole hour. The order is now kept per conversation
and asker. Through the real Bolt app and slack_sdk against the fake Web API.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _after_the_block,
    _delivered,
    _handled,
    _on_the_bots_clock,
)


async def test_someone_elses_command_in_the_channel_is_answered_at_once(slack):
    slack.fake.channels["C5"] = {"id": "C5", "name": "general", "is_member": True}
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    mention = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C5",
        "channel_type": "channel",
        "text": "<@UBOT> who knows about ledger signing keys?",
        "ts": "1763800000.000300",
    }
    await slack.event(mention, "Ev-m1")
    await _handled(slack, 1)
    assert _delivered(slack, channel="C5") == []  # U1's answer is kept

    before = len(slack.fake.responses)
    await slack.command("mine", user="U2", channel="C5", channel_name="general")
    await until(lambda: len(slack.fake.responses) > before)
    assert "narrated" in str(slack.fake.responses[-1]["text"])

    await _after_the_block(slack)
    [answer] = [p for p in _delivered(slack, channel="C5") if p.get("user") is None]
    assert answer["thread_ts"] == "1763800000.000300"  # U1's, in their thread, after the block
