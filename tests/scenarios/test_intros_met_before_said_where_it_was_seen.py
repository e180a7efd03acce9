""" "You were introduced before, N weeks ago" (the pairs met longest ago come round) is said in
the introductions channel only where that earlier introduction was itself posted there: one
sent by group DM only was known to its pair alone. Their DM says it either way. Through the
console with its scheduler running (``:advance 7d`` is a week)."""

from __future__ import annotations

import re

from tests.scenarios.test_intros_pace import PEOPLE, _everyone, _weeks

BEFORE = "introduced before"


def _posts(out: str, where: str) -> list[str]:
    """The introductions (not their follow-ups) of a stretch of console output printed under
    ``[where`` (the channel ``#intros``, or ``dm``), each its own text."""
    blocks = re.split(r"\n(?=\[)", "\n" + out)
    return [b for b in blocks if b.startswith(f"[{where}") and "Why: " in b]


async def _week(chat, people: list[str]) -> str:
    for person in people:  # still narrating, so still taking part
        await chat.say(f"{person}: /narrate kafka consumer lag on the ledger topic")
    [week] = await _weeks(chat, 1)
    return week


async def test_the_channel_says_they_met_before_only_if_it_showed_that_meeting(chat):
    people = PEOPLE[:4]
    await chat.say(":admin ann", ":channel #intros public", "ann: /narrate intros channel #intros")
    await _everyone(chat, people)
    await chat.say("ann: /narrate intros delivery dm")
    first = await _week(chat, people)  # by group DM only
    await chat.say("ann: /narrate intros delivery both")
    await _week(chat, people)
    await _week(chat, people)  # every pair has met now
    assert not _posts(first, "#intros") and len(_posts(first, "dm")) == 2

    for _ in range(2):  # every pair met within the latest four rounds (MIN_GAP_ROUNDS)
        assert not _posts(await _week(chat, people), "dm")
    sixth = await _week(chat, people)  # the first week's pairs, whose meeting was by DM
    assert len(_posts(sixth, "#intros")) == 2
    for post in _posts(sixth, "#intros"):
        assert BEFORE not in post and "weeks ago" not in post, "a DM-only meeting told to all"
    assert [BEFORE in post for post in _posts(sixth, "dm")] == [True, True]

    seventh = await _week(chat, people)  # the second week's pairs, posted in #intros then
    assert len(_posts(seventh, "#intros")) == 2
    for post in _posts(seventh, "#intros") + _posts(seventh, "dm"):
        assert "You were introduced before, 5 weeks ago" in post
