"""A reply that shows narrations without quoting them (a profile's recent ones, "mine", who
could help after a narration) is never sent unchecked past a rate limit: its send an hour on
would show a narration deleted meanwhile, or one from a private channel its reader has left, or
name someone forgotten since. When one of them changed, a note asking them to ask again goes
instead (``Reply.if_kept``); when none did, it goes as it was
(``test_kept_replies_as_they_were``).
"""

from __future__ import annotations

import json

from narrate_bot.replies import HELD_BACK
from tests.adapters.slack.conftest import dm_event
from tests.adapters.slack.test_kept_answer_quotes_as_now import (
    SECRET,
    _asker_left_the_private_channel,
    _said,
    _said_in_a_private_channel,
    _texts,
)
from tests.adapters.slack.test_kept_replies_are_their_askers import _kept
from tests.adapters.slack.test_kept_replies_are_their_askers import _said as said
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _after_the_block,
    _handled,
    _on_the_bots_clock,
)


async def _asked_in_the_dm_during_a_block(slack, text: str) -> None:
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    await slack.event(dm_event(text), "Ev-p1")
    await _handled(slack, 1)


async def test_a_kept_profile_doesnt_show_a_narration_deleted_meanwhile(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    told = await _said(slack, "delete 1", "U2", "C5", "general")
    assert "deleted" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent == [HELD_BACK], sent


async def test_a_kept_profile_doesnt_show_a_private_channel_its_asker_left(slack):
    await _said_in_a_private_channel(slack)
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    await _asker_left_the_private_channel(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent, sent
    assert not any("after the breach" in t or "secret" in t for t in sent), sent


async def test_a_kept_profile_keeps_nothing_of_whom_it_shows_past_their_forget_me(slack):
    """Their forget-me meanwhile leaves nothing of them in the asker's kept reply, which
    becomes its note: the asker still hears back."""
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    assert "U2" in json.dumps(await _kept(slack))  # kept as it is, to go as it was
    await said(slack, "forget-me", "U2")
    assert "Done" in await said(slack, "forget-me confirm", "U2")
    kept = json.dumps(await _kept(slack))
    assert "U2" not in kept and "breach" not in kept, kept
    await _after_the_block(slack)
    assert _texts(slack, "U1") == [HELD_BACK]


async def test_a_kept_mine_list_doesnt_show_a_narration_deleted_meanwhile(slack):
    assert "Noted" in await said(slack, SECRET)  # U1's, in #general
    await _asked_in_the_dm_during_a_block(slack, "mine")
    assert "Deleted" in await said(slack, "delete 1")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent == [HELD_BACK], sent


async def test_a_kept_narration_confirmation_names_nobody_forgotten_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "stuck on ledger signing keys")
    await said(slack, "forget-me", "U2")
    assert "Done" in await said(slack, "forget-me confirm", "U2")
    kept = json.dumps(await _kept(slack))
    assert "U2" not in kept, kept
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "Noted as #1" in sent[0], sent
    assert "<@U2>" not in sent[0] and "/narrate who ledger signing keys" in sent[0], sent


async def test_forget_me_drops_anothers_kept_answer_naming_them(slack):
    assert "Noted" in await said(slack, "rotated the ledger signing keys")  # U1's
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    asked = {
        "type": "message",
        "channel_type": "im",
        "user": "U2",
        "channel": "D2",
        "text": "who knows about ledger signing keys?",
        "ts": "1763800000.000100",
    }
    await slack.event(asked, "Ev-u2")
    await _handled(slack, 1)
    assert any("<@U1>" in k["reply"]["text"] for k in await _kept(slack))
    await said(slack, "forget-me")
    assert "Done" in await said(slack, "forget-me confirm")
    left = await _kept(slack)
    assert not any("U1" in json.dumps(k) for k in left), left
    await _after_the_block(slack)
    assert not any("ledger" in t for t in _texts(slack, "U2")), _texts(slack, "U2")
