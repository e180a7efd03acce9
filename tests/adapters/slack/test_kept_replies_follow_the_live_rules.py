"""Slack replies kept past a long rate limit go as the live rules would make them at send time:
whom they name, whom they reach, and what follows them."""

from __future__ import annotations

from narrate_bot.features.answer_copies import ASK_AGAIN
from tests.adapters.slack.test_kept_answer_quotes_as_now import (
    SECRET,
    _said,
    _texts,
)
from tests.adapters.slack.test_kept_answer_quotes_as_now import (
    _asked_in_the_dm_during_a_block as _asked_who_knows_during_a_block,
)
from tests.adapters.slack.test_refused_replies_sent_later import _after_the_block


def _names_u2(sent: list[str]) -> bool:
    return any("<@U2>" in t or "after the breach" in t for t in sent)


async def test_a_kept_who_knows_answer_doesnt_name_someone_who_paused_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    told = await _said(slack, "pause 2w", "U2", "C5", "general")
    assert "paus" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not _names_u2(sent), sent
    assert any(ASK_AGAIN in t for t in sent), sent


async def test_a_kept_who_knows_answer_doesnt_name_someone_who_left_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    told = await _said(slack, "leave", "U2", "C5", "general")
    assert "left" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not _names_u2(sent), sent
    assert any(ASK_AGAIN in t for t in sent), sent


async def test_a_kept_who_knows_answer_doesnt_name_someone_hidden_from_it_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    told = await _said(slack, "hide-me ledger", "U2", "C5", "general")
    assert "ledger" in str(told["text"]), told
    live = await _said(slack, "who knows about ledger signing keys?", "U3", "C5", "general")
    assert "<@U2>" not in str(live["text"]), live  # the live answer leaves them out
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not _names_u2(sent), sent
    assert any(ASK_AGAIN in t for t in sent), sent


async def test_a_kept_who_knows_answer_goes_as_it_was_while_its_people_hold(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert any("<@U2>" in t and "after the breach" in t for t in sent), sent
