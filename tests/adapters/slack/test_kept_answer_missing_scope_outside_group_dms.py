"""A kept answer in a channel the app may not look up (``missing_scope``) is not posted
unlooked-at: only a group DM is (cac6662); a channel shared with another organisation since
the answer was written would otherwise get it."""

from __future__ import annotations

from tests.adapters.slack.test_kept_answer_quotes_as_now import _said_in_a_private_channel
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _after_the_block,
    _delivered,
    _handled,
    _on_the_bots_clock,
)


async def test_a_kept_channel_answer_isnt_posted_unlooked_at_in_a_channel_shared_since(slack):
    await _said_in_a_private_channel(slack)
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage", "chat.postEphemeral")
    mention = {
        "type": "app_mention",
        "user": "U1",
        "channel": "G1",
        "channel_type": "group",
        "text": "<@UBOT> who knows about ledger signing keys?",
        "ts": "1763800000.000900",
    }
    await slack.event(mention, "Ev-g1")
    await _handled(slack, 1)
    slack.fake.channels["G1"]["is_ext_shared"] = True  # shared with another organisation
    slack.fake.failures["conversations.info"] = "missing_scope"
    await _after_the_block(slack)
    sent = [str(p.get("text")) for p in _delivered(slack, channel="G1")]
    assert not any("after the breach" in t for t in sent), sent
