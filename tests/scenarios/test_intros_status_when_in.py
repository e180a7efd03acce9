"""``/narrate intros`` for someone who joined and hasn't been introduced yet says they're in and
when the next round is, instead of telling them to join ("/narrate intros join takes part in
the weekly introductions…"), and says no "weekly" where rounds run every other week."""

from __future__ import annotations

from .test_intros_pace import PEOPLE, _biweekly

JOIN_HINT = "/narrate intros join takes part"


async def test_someone_who_joined_is_told_they_are_in_and_when_the_next_round_is(chat):
    # Monday 23 Nov, 08:00 UTC: the first round is today at 10:00.
    await chat.say("alice: /narrate intros join")
    out = await chat.say("alice: /narrate intros")
    assert "You're in the introductions; nobody yet. The next round is 2026-11-23." in out
    assert "/narrate intros help lists the rest." in out and JOIN_HINT not in out


async def test_in_a_biweekly_workspace_the_next_round_is_the_one_that_runs(chat):
    await _biweekly(chat, PEOPLE[:6])  # the round of 23 Nov ran; now Monday 30 Nov, 08:00 UTC
    await chat.say("zoe: /narrate intros join")
    out = await chat.say("zoe: /narrate intros")
    assert "You're in the introductions; nobody yet. The next round is 2026-12-07." in out
    assert "weekly" not in out and JOIN_HINT not in out


async def test_someone_not_in_is_still_told_how_to_join(chat):
    out = await chat.say("zoe: /narrate intros")
    assert "You haven't been introduced to anyone yet" in out and JOIN_HINT in out
