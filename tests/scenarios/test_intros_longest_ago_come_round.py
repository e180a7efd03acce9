"""A workspace where everyone has been introduced to everyone within the no-repeat window,
through the console with its scheduler running (``:advance 7d`` is a week).

Four people, one team each, have three ways to pair up: after three rounds every allowed pair
had met, and the workspace had no introductions for the rest of the 12-round window. The pairs
introduced longest ago now come round again, and their introduction says so."""

from __future__ import annotations

from tests.scenarios.test_intros_pace import INTRODUCED, PEOPLE, _count, _everyone, _weeks


def _groups(out: str) -> set[str]:
    return {group for _, group in INTRODUCED.findall(out)}


async def test_when_nobody_new_is_left_the_pairs_met_longest_ago_meet_again(chat):
    people = PEOPLE[:4]
    await _everyone(chat, people)
    weeks = []
    for _ in range(5):
        for person in people:  # still narrating, so still taking part
            await chat.say(f"{person}: /narrate kafka consumer lag on the ledger topic")
        [week] = await _weeks(chat, 1)
        weeks.append(week)
    assert [_count(w) for w in weeks] == [2, 2, 2, 2, 2], "no week without introductions"
    for week in weeks[:3]:
        assert "introduced before" not in week, "new pairs while there are any"
    assert _groups(weeks[3]) == _groups(weeks[0]), "the first week's pairs, met longest ago"
    assert _groups(weeks[4]) == _groups(weeks[1])
    for week in weeks[3:]:
        assert week.count("You were introduced before, 3 weeks ago") == 2
        assert "nobody new is left to meet" in week
