"""The ranking's contract with the features that call it: hide-me and ask-me-about."""

from __future__ import annotations

from datetime import UTC, datetime

from narrate_bot.knowledge.ranking import Hit, rank_people

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
HITS = [Hit(1, 10, NOW, 3.0), Hit(2, 20, NOW, 2.0), Hit(3, 30, NOW, 1.0)]


def test_hidden_people_never_take_a_place() -> None:
    assert [p.person_id for p in rank_people(HITS, now=NOW, limit=2)] == [10, 20]
    hidden = rank_people(HITS, now=NOW, limit=2, exclude=frozenset({10}))
    assert [p.person_id for p in hidden] == [20, 30]


def test_a_boost_can_earn_a_place_before_the_cut() -> None:
    boosted = rank_people(HITS, now=NOW, limit=2, boosts={30: 4.0})
    assert [p.person_id for p in boosted] == [30, 10]
