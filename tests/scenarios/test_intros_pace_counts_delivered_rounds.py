"""A workspace's and a person's pace counted from rounds that reached someone, and the no-repeat
window counted in rounds, through the console with its scheduler running (``:advance 7d`` is a
week: Monday 10:00 UTC's round and Thursday's follow-up).

A round whose introductions all failed to go out (the platform refused every post) made the
next week an off week in a biweekly workspace, and kept someone introduced "every 2w" out of the
next round, though nobody had been introduced. The 12-week no-repeat window let a biweekly
workspace repeat a pair after 6 rounds."""

from __future__ import annotations

import pytest

from narrate_bot.events import Platform
from narrate_bot.ports import CannotPostThere
from narrate_bot.replies import Post
from tests.scenarios.test_intros_pace import (
    ASKED,
    PEOPLE,
    _count,
    _everyone,
    _introduced,
    _weeks,
)


def _refuse_introductions(bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform refuses every introduction (not the rest) until the test undoes it."""
    console = bot.gateways[Platform.CONSOLE]
    real = console.post

    async def refusing(tenant: object, post: Post) -> str:
        if post.text.startswith("Introduction #") and ASKED not in post.text:
            raise CannotPostThere(CannotPostThere.REFUSED)
        return await real(tenant, post)

    monkeypatch.setattr(console, "post", refusing)


async def test_a_biweekly_round_nobody_received_leaves_next_week_a_round(chat, bot, monkeypatch):
    await _everyone(chat, PEOPLE[:6])
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    _refuse_introductions(bot, monkeypatch)
    [refused] = await _weeks(chat, 1)
    assert _count(refused) == 0
    assert ASKED not in refused, "nobody is asked whether they met after an introduction never sent"
    monkeypatch.undo()
    weeks = await _weeks(chat, 3)
    assert [_count(w) for w in weeks] == [3, 0, 3]


async def test_every_two_weeks_counts_from_an_introduction_that_reached_me(chat, bot, monkeypatch):
    await _everyone(chat, PEOPLE)
    await chat.say("alice: /narrate intros every 2w")
    _refuse_introductions(bot, monkeypatch)
    [refused] = await _weeks(chat, 1)
    assert _count(refused) == 0
    monkeypatch.undo()
    weeks = await _weeks(chat, 3)
    assert [("alice" in _introduced(w)) for w in weeks] == [True, False, True]


async def test_a_biweekly_workspace_repeats_no_pair_within_twelve_rounds(chat):
    # Four people, one team each: three rounds introduce everyone to everyone. Counted in
    # weeks, the first round's pairs came back in the 8th round (week 14) as new. Since then
    # the pairs introduced longest ago come round again once nobody new is left, but none met
    # in the latest four rounds (rounds 4 and 5 have none): five rounds back, ten weeks.
    people = PEOPLE[:4]
    await _everyone(chat, people)
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    rounds = []
    for _ in range(8):
        for person in people:  # still narrating, so still taking part
            await chat.say(f"{person}: /narrate kafka consumer lag on the ledger topic")
        on, off = await _weeks(chat, 2)
        assert _count(off) == 0
        rounds.append(on)
    assert [_count(r) for r in rounds] == [2, 2, 2, 0, 0, 2, 2, 2]
    assert ["introduced before, 10 weeks ago" in r for r in rounds] == [False] * 5 + [True] * 3
