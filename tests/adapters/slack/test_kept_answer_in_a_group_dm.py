"""Slack: an answer kept past a long rate limit in a group DM reaches it after the block.

The app asks for no ``mpim:read`` (``manifest.yaml``), so the fresh ``conversations.info`` a
kept reply made before going out was refused (``missing_scope``), and every kept answer in a
group DM was dropped as "not readable there": the person never heard back, what 7f2bb52 was
for. A group DM, or a place the app may not look up, is no longer looked at: the post goes, and
only Slack's own refusal drops it, never for the asker's DM instead. Through the real Bolt app
and slack_sdk against the fake Web API (which grants the manifest's scopes alone).
"""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _after_the_block,
    _delivered,
    _handled,
    _on_the_bots_clock,
)

ASKED = "1763800000.000700"


async def _asked_in_a_group_dm_during_a_block(slack: SlackEnv) -> None:
    slack.fake.channels["G7"] = {
        "id": "G7",
        "name": "mpdm-ann--ben-1",
        "is_mpim": True,
        "is_private": True,
        "is_member": True,
    }
    slack.fake.members["G7"] = ["UBOT", "U1", "U2"]
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage", "chat.postEphemeral")
    mention = {
        "type": "app_mention",
        "user": "U1",
        "channel": "G7",
        "channel_type": "mpim",
        "text": "<@UBOT> who knows about ledger signing keys?",
        "ts": ASKED,
    }
    await slack.event(mention, "Ev-mpim")
    await _handled(slack, 1)
    assert _delivered(slack) == []  # kept


async def test_a_kept_answer_in_a_group_dm_reaches_its_asker_after_the_block(slack):
    await _asked_in_a_group_dm_during_a_block(slack)
    await _after_the_block(slack)
    [answer] = _delivered(slack, channel="G7")
    assert answer["user"] == "U1"
    assert "ledger signing keys" in str(answer["text"])
    assert _delivered(slack, channel="U1") == []


async def test_a_kept_answer_slack_refuses_there_goes_to_no_dm_instead(slack):
    await _asked_in_a_group_dm_during_a_block(slack)
    slack.fake.failures["chat.postEphemeral"] = "user_not_in_channel"
    await _after_the_block(slack)
    refused = [c for c in slack.fake.calls if c.error == "user_not_in_channel"]
    assert [c.method for c in refused] == ["chat.postEphemeral"]  # tried there, once
    posts = [c.method for c in slack.fake.calls if c.method.startswith("chat.post")]
    assert posts == ["chat.postMessage", "chat.postEphemeral", "chat.postEphemeral"], posts
    assert _delivered(slack, channel="U1") == []  # dropped: not sent to their DM instead
