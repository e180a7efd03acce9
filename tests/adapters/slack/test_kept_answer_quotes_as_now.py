"""Slack: an answer kept past a long rate limit quotes nothing that changed while it waited.

A who-knows answer refused by an hour's 429 is kept and sent after it (7f2bb52). It was sent as
it was written: a narration its author deleted or edited meanwhile went out with its old words
(to a public channel too), and so did one in a private channel its asker had left (ADR 0004:
leaving removes its evidence at once). Now a note that quotes nothing goes where the answer
would have gone, asking them to ask again. Through the real Bolt app and slack_sdk against the
fake Web API; the scheduler's tick is run past the hour.
"""

from __future__ import annotations

from typing import Any

from narrate_bot.features.answer_copies import ASK_AGAIN
from tests.adapters.slack.conftest import SlackEnv, dm_event, until
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _after_the_block,
    _delivered,
    _handled,
    _on_the_bots_clock,
)

SECRET = "rotated the ledger signing keys after the breach"
MENTION = {
    "type": "app_mention",
    "user": "U1",
    "channel": "C5",
    "channel_type": "channel",
    "text": "<@UBOT> who knows about ledger signing keys?",
    "ts": "1763800000.000300",
}


async def _said(env: SlackEnv, said: str, user: str, channel: str, name: str) -> dict[str, Any]:
    before = len(env.fake.responses)
    await env.command(said, user=user, channel=channel, channel_name=name)
    await until(lambda: len(env.fake.responses) > before)
    return env.fake.responses[-1]


def _texts(slack: SlackEnv, channel: str) -> list[str]:
    return [str(p.get("text")) for p in _delivered(slack, channel=channel)]


async def _asked_in_the_dm_during_a_block(slack: SlackEnv) -> None:
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    await slack.event(dm_event("who knows about ledger signing keys?"), "Ev-q1")
    await _handled(slack, 1)


async def _asked_in_the_channel_during_a_block(slack: SlackEnv) -> None:
    """U2 narrates ``SECRET`` in #general, then U1 asks there while Slack refuses posts."""
    slack.fake.channels["C5"] = {"id": "C5", "name": "general", "is_member": True}
    await _said(slack, SECRET, "U2", "C5", "general")
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage", "chat.postEphemeral")
    await slack.event(dict(MENTION), "Ev-m1")
    await _handled(slack, 1)


async def _said_in_a_private_channel(slack: SlackEnv) -> None:
    """U2 narrates ``SECRET`` in #secret, a private channel the asker, U1, reads too."""
    slack.fake.channels["G1"] = {
        "id": "G1",
        "name": "secret",
        "is_private": True,
        "is_member": True,
    }
    slack.fake.members["G1"] = ["UBOT", "U1", "U2"]
    await _said(slack, SECRET, "U2", "G1", "secret")  # #secret's readers stored: U1, U2


async def _asker_left_the_private_channel(slack: SlackEnv) -> None:
    """U1 leaves #secret once their question is handled (Slack's event, the second one)."""
    slack.fake.members["G1"] = ["UBOT", "U2"]
    left = {"type": "member_left_channel", "user": "U1", "channel": "G1", "channel_type": "G"}
    await slack.event(left, "Ev-left")
    await _handled(slack, 2)


async def test_a_kept_dm_answer_doesnt_quote_a_private_channel_its_asker_left(slack):
    await _said_in_a_private_channel(slack)
    await _asked_in_the_dm_during_a_block(slack)
    await _asker_left_the_private_channel(slack)

    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent == [ASK_AGAIN], sent


async def test_a_kept_dm_answer_doesnt_quote_a_narration_deleted_meanwhile(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack)
    told = await _said(slack, "delete 1", "U2", "C5", "general")
    assert "deleted" in str(told["text"]).lower(), told

    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent == [ASK_AGAIN], sent


async def test_a_kept_dm_answer_doesnt_quote_the_old_words_of_an_edited_narration(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack)
    told = await _said(slack, "edit 1 rotated the ledger signing keys", "U2", "C5", "general")
    assert "updated" in str(told["text"]).lower(), told

    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent == [ASK_AGAIN], sent


async def test_a_kept_channel_answer_doesnt_quote_a_narration_deleted_meanwhile(slack):
    await _asked_in_the_channel_during_a_block(slack)
    told = await _said(slack, "delete 1", "U2", "C6", "random")
    assert "deleted" in str(told["text"]).lower(), told

    await _after_the_block(slack)
    sent = _texts(slack, "C5")
    assert sent[0] == ASK_AGAIN, sent  # then "Did this answer help?", for the asker alone
    assert not any("after the breach" in t for t in sent + _texts(slack, "U1")), sent


async def test_a_kept_answer_whose_quotes_hold_goes_as_it_was_written(slack):
    await _asked_in_the_channel_during_a_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "C5")
    assert "after the breach" in sent[0], sent
