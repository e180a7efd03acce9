"""Delivery judged per introduction, not per round, through the console with its scheduler
running (``:advance 7d`` is a week: Monday 10:00 UTC's round and Thursday's follow-up).

One introduction whose posts the platform refused, in a round whose other introductions went
out, used to count as delivered with its round: its people were asked "did you get to meet …?"
about an introduction they never received, rested as if introduced (``every 2w``), and kept
apart for the next 12 rounds."""

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


def _refuse_introductions_of(bot, monkeypatch: pytest.MonkeyPatch, user_id: str) -> None:
    """The platform refuses every introduction naming ``user_id`` (the rest go out) until the
    test undoes it."""
    console = bot.gateways[Platform.CONSOLE]
    real = console.post

    async def refusing(tenant: object, post: Post) -> str:
        if (
            post.text.startswith("Introduction #")
            and ASKED not in post.text
            and user_id in post.names
        ):
            raise CannotPostThere(CannotPostThere.REFUSED)
        return await real(tenant, post)

    monkeypatch.setattr(console, "post", refusing)


async def _two_pairs_only(chat) -> None:
    """alice and bob may only meet each other, carol and dan likewise: each round is those two
    introductions, or fewer."""
    await _everyone(chat, ["alice", "bob", "carol", "dan"])
    for wish in ("alice: @carol", "alice: @dan", "bob: @carol", "bob: @dan"):
        who, other = wish.split(": ")
        await chat.say(f"{who}: /narrate never-pair {other}")


async def test_an_introduction_refused_in_a_delivered_round_is_not_followed_up(
    chat, bot, monkeypatch
):
    await _two_pairs_only(chat)
    _refuse_introductions_of(bot, monkeypatch, "alice")
    [week] = await _weeks(chat, 1)
    assert _introduced(week) == {"carol", "dan"}, "alice and bob's introduction was refused"
    asked = [line for line in week.splitlines() if ASKED in line]
    assert asked, "carol and dan, who received theirs, are asked whether they met"
    assert not any("alice" in line or "bob" in line for line in asked), (
        "nobody is asked about an introduction they never received"
    )


async def test_a_pair_whose_introduction_was_refused_may_meet_the_next_round(
    chat, bot, monkeypatch
):
    await _two_pairs_only(chat)
    _refuse_introductions_of(bot, monkeypatch, "alice")
    [refused] = await _weeks(chat, 1)
    assert _introduced(refused) == {"carol", "dan"}
    monkeypatch.undo()
    for person in ("alice", "bob", "carol", "dan"):  # still narrating, so still taking part
        await chat.say(f"{person}: /narrate kafka consumer lag on the ledger topic")
    [week] = await _weeks(chat, 1)
    assert _introduced(week) == {"alice", "bob"}, (
        "carol and dan met last week; alice and bob didn't"
    )
    assert _count(week) == 1


async def test_every_two_weeks_rests_me_only_after_an_introduction_that_reached_me(
    chat, bot, monkeypatch
):
    await _everyone(chat, PEOPLE[:6])
    await chat.say("alice: /narrate intros every 2w")
    _refuse_introductions_of(bot, monkeypatch, "alice")
    [refused] = await _weeks(chat, 1)
    assert _count(refused) == 2 and "alice" not in _introduced(refused)
    monkeypatch.undo()
    weeks = await _weeks(chat, 2)
    assert [("alice" in _introduced(w)) for w in weeks] == [True, False]
