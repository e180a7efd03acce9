"""A workspace where everyone has been introduced to everyone within the no-repeat window,
through the console with its scheduler running (``:advance 7d`` is a week).

Four people, one team each, have three ways to pair up: after three rounds every allowed pair
had met, and the workspace had no introductions for the rest of the 12-round window. The pairs
introduced longest ago now come round again, and their introduction says so; but never people
introduced in the latest four rounds (``MIN_GAP_ROUNDS``): two people alone in a workspace were
introduced to each other every week."""

from __future__ import annotations

from tests.scenarios.test_intros_pace import INTRODUCED, PEOPLE, _count, _everyone, _weeks


def _groups(out: str) -> set[str]:
    return {group for _, group in INTRODUCED.findall(out)}


async def _rounds(chat, people: list[str], count: int) -> list[str]:
    weeks = []
    for _ in range(count):
        for person in people:  # still narrating, so still taking part
            await chat.say(f"{person}: /narrate kafka consumer lag on the ledger topic")
        [week] = await _weeks(chat, 1)
        weeks.append(week)
    return weeks


async def test_when_nobody_new_is_left_the_pairs_met_longest_ago_meet_again(chat):
    people = PEOPLE[:4]
    await _everyone(chat, people)
    weeks = await _rounds(chat, people, 8)
    # Rounds 4 and 5: every pair met within the latest four rounds.
    assert [_count(w) for w in weeks] == [2, 2, 2, 0, 0, 2, 2, 2]
    for week in weeks[:3]:
        assert "introduced before" not in week, "new pairs while there are any"
    assert _groups(weeks[5]) == _groups(weeks[0]), "the first week's pairs, met longest ago"
    assert _groups(weeks[6]) == _groups(weeks[1])
    assert _groups(weeks[7]) == _groups(weeks[2])
    for week in weeks[5:]:
        assert week.count("You were introduced before, 5 weeks ago") == 2
        assert "nobody new is left to meet" in week


async def test_two_people_alone_meet_again_only_after_four_rounds_without_each_other(chat):
    people = PEOPLE[:2]
    await _everyone(chat, people)
    weeks = await _rounds(chat, people, 7)
    assert [_count(w) for w in weeks] == [1, 0, 0, 0, 0, 1, 0]
    assert "You were introduced before, 5 weeks ago" in weeks[5]


async def test_three_people_alone_are_not_told_the_same_trio_every_week(chat):
    people = PEOPLE[:3]  # three people: one trio a round
    await _everyone(chat, people)
    weeks = await _rounds(chat, people, 6)
    assert [_count(w) for w in weeks] == [1, 0, 0, 0, 0, 1]
    assert _groups(weeks[5]) == _groups(weeks[0])
