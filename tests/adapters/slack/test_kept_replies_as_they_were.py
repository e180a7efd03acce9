"""Slack: a reply kept past a long rate limit goes as it was when nothing it shows changed.

A profile, `/narrate mine`, who could help after a narration and the `edit` offer show
narrations without quoting them; kept for later, they always became "ask me again" (8ce8a77),
even when every narration shown was still there, unedited and readable by the asker. Now each
shown narration is checked at send time (``Reply.shown``): the reply goes as it was while all
hold, its note otherwise (the edit offer's too: it showed #n's old words). "Did this answer
help?" no longer follows an answer that went as a note asking again. A kept reply given up
(refused four times) leaves its person one line saying so, once Slack takes posts again; that
line refused too is a warning without text. Signed requests into the real Bolt app, slack_sdk
against the fake Web API; the scheduler's tick is run past each hour.
"""

from __future__ import annotations

import json
import logging

from narrate_bot.features.answer_copies import ASK_AGAIN
from narrate_bot.features.who_knows import HELPED_ASK
from narrate_bot.replies import HELD_BACK
from tests.adapters.slack.test_kept_answer_quotes_as_now import (
    SECRET,
    _asked_in_the_channel_during_a_block,
    _said,
    _texts,
)
from tests.adapters.slack.test_kept_replies_are_their_askers import _kept
from tests.adapters.slack.test_kept_replies_are_their_askers import _said as said
from tests.adapters.slack.test_kept_replies_showing_narrations import (
    _asked_in_the_dm_during_a_block,
)
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _after_the_block,
)

HELPED = HELPED_ASK.split("?")[0]
DROPPED = "couldn't deliver an earlier answer"


async def test_a_kept_profile_nothing_changed_in_goes_as_it_was(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "<@U2>" in sent[0] and "after the breach" in sent[0], sent


async def test_a_kept_profile_of_a_private_channel_still_read_goes_as_it_was(slack):
    slack.fake.channels["G1"] = {"id": "G1", "name": "secret", "is_private": True}
    slack.fake.members["G1"] = ["UBOT", "U1", "U2"]
    await _said(slack, SECRET, "U2", "G1", "secret")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "after the breach" in sent[0], sent


async def test_a_kept_profile_doesnt_show_a_narration_edited_meanwhile(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    told = await _said(slack, "edit 1 rotated the ledger signing keys", "U2", "C5", "general")
    assert "updated" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    assert _texts(slack, "U1") == [HELD_BACK]


async def test_a_kept_mine_list_nothing_changed_in_goes_as_it_was(slack):
    assert "Noted" in await said(slack, SECRET)  # U1's, in #general
    await _asked_in_the_dm_during_a_block(slack, "mine")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "#1" in sent[0] and "after the breach" in sent[0], sent


async def test_a_kept_confirmation_names_who_could_help_while_that_holds(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "stuck on ledger signing keys")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "Noted as #1" in sent[0] and "<@U2>" in sent[0], sent


async def test_a_kept_confirmation_names_nobody_found_by_a_narration_deleted_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "stuck on ledger signing keys")
    told = await _said(slack, "delete 1", "U2", "C5", "general")
    assert "deleted" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "Noted as #1" in sent[0] and "<@U2>" not in sent[0], sent


async def test_did_this_help_doesnt_follow_a_note_asking_again(slack):
    await _asked_in_the_channel_during_a_block(slack)
    told = await _said(slack, "delete 1", "U2", "C6", "random")
    assert "deleted" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    await _after_the_block(slack, 300)  # anything still due goes too
    sent = _texts(slack, "C5") + _texts(slack, "U1")
    assert ASK_AGAIN in sent, sent
    assert not any(HELPED in t for t in sent), sent


async def test_did_this_help_follows_a_kept_answer_that_held(slack):
    await _asked_in_the_channel_during_a_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "C5")
    assert "after the breach" in sent[0] and any(HELPED in t for t in sent[1:]), sent


async def test_a_kept_edit_offer_doesnt_show_the_words_of_a_narration_deleted_since(slack):
    assert "Noted" in await said(slack, SECRET)  # U1's #1, in #general
    await _asked_in_the_dm_during_a_block(slack, "edit 1 docs pages for the launch")
    assert "Deleted" in await said(slack, "delete 1")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "changed since" in sent[0], sent
    assert "after the breach" not in sent[0] and "Did you mean" not in sent[0], sent


async def test_a_kept_edit_offer_goes_as_it_was_while_its_narration_holds(slack):
    assert "Noted" in await said(slack, SECRET)
    await _asked_in_the_dm_during_a_block(slack, "edit 1 docs pages for the launch")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "Did you mean" in sent[0] and "after the breach" in sent[0], sent


async def _refused_four_times(slack) -> None:
    assert "Noted" in await said(slack, SECRET)
    await _asked_in_the_dm_during_a_block(slack, "mine")
    for _ in range(4):  # each try after the block is refused by a new hour's 429
        slack.fake.rate_limit_once["chat.postMessage"] = HOUR
        await _after_the_block(slack)
    assert _texts(slack, "U1") == []
    kept = await _kept(slack)
    assert len(kept) == 1, kept  # the note, due once Slack takes posts again
    assert "breach" not in json.dumps(kept), kept  # nothing the reply showed outlives it


async def test_a_reply_given_up_leaves_its_person_a_line_saying_so(slack):
    await _refused_four_times(slack)
    await _after_the_block(slack)
    await _after_the_block(slack)  # said once
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and DROPPED in sent[0] and "breach" not in sent[0], sent
    assert await _kept(slack) == []


async def test_a_refused_line_saying_so_is_a_warning_without_text(slack, caplog):
    await _refused_four_times(slack)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        slack.fake.rate_limit_once["chat.postMessage"] = HOUR
        await _after_the_block(slack)
        await _after_the_block(slack)  # never tried again
    assert _texts(slack, "U1") == []
    assert await _kept(slack) == []
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("note was refused" in r.getMessage() for r in warned), caplog.text
    logged = " ".join(r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG)
    assert "breach" not in logged and DROPPED not in logged, logged
