"""Slack: a reply kept past a long rate limit is read again by the live reply's own rules.

Found after f21c7d2 and e20abca: a kept topics map checked who hid a topic with a question's
keying, which misses the map's own (a stored "net" is .NET too: ``narration_topic_stems``), so
someone who hid ".NET" since was still listed for it; and a kept profile was checked for the
narrations it showed, not for ones written since, which the live profile shows first. Signed
requests into the real Bolt app, slack_sdk against the fake Web API; the scheduler's tick is
run past each hour.
"""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.features.topic_map import HELD_BACK_MAP
from narrate_bot.replies import HELD_BACK
from tests.adapters.slack.test_kept_answer_quotes_as_now import SECRET, _said, _texts
from tests.adapters.slack.test_kept_replies_showing_narrations import (
    _asked_in_the_dm_during_a_block,
)
from tests.adapters.slack.test_refused_replies_sent_later import _after_the_block

DOTNET = "moved the invoice exporter to .NET 8"


def _net_line(text: str) -> str:
    return next((line for line in text.splitlines() if "net" in line.lower()), "")


async def test_a_kept_topics_map_doesnt_list_someone_who_hid_dotnet_since(slack):
    await _said(slack, DOTNET, "U2", "C5", "general")
    before = await _said(slack, "topics", "U3", "C5", "general")
    assert "<@U2>" in _net_line(str(before["text"])), before  # listed for .NET
    await _asked_in_the_dm_during_a_block(slack, "topics")
    told = await _said(slack, "hide-me .NET", "U2", "C5", "general")
    assert ".NET" in str(told["text"]), told
    live = await _said(slack, "topics", "U3", "C5", "general")
    assert "<@U2>" not in _net_line(str(live["text"])), live  # the live map leaves them out
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not any("<@U2>" in _net_line(t) for t in sent), sent
    assert any(HELD_BACK_MAP in t for t in sent), sent


async def test_a_kept_topics_map_goes_as_it_was_while_dotnet_isnt_hidden(slack):
    await _said(slack, DOTNET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "topics")
    told = await _said(slack, "hide-me ledger", "U2", "C5", "general")  # another topic
    assert "ledger" in str(told["text"]), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert any("<@U2>" in _net_line(t) for t in sent), sent


async def test_a_kept_profile_isnt_sent_without_a_narration_written_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    clock = slack.adapter.bot.clock
    clock.set(clock.now() + timedelta(minutes=1))
    told = await _said(slack, DOTNET, "U2", "C5", "general")
    assert "Noted" in str(told["text"]), told
    live = await _said(slack, "profile <@U2>", "U3", "C5", "general")
    assert "invoice exporter" in str(live["text"]), live  # the live profile shows it
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent == [HELD_BACK], sent


async def test_a_kept_own_profile_isnt_sent_without_a_narration_written_since(slack):
    await _said(slack, SECRET, "U1", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile")
    clock = slack.adapter.bot.clock
    clock.set(clock.now() + timedelta(minutes=1))
    told = await _said(slack, DOTNET, "U1", "C5", "general")
    assert "Noted" in str(told["text"]), told
    await _after_the_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert not any("after the breach" in t and "invoice" not in t for t in sent), sent
    assert HELD_BACK in sent, sent


async def test_a_kept_profile_goes_as_it_was_while_nothing_was_written_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "after the breach" in sent[0], sent
