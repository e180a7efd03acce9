"""The ranking's contract with the features that call it (hide-me, ask-me-about) and the
behaviour people notice: specific evidence first, recent over old, and work on the topic these
weeks (never being busy with other things) as a tiebreaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from narrate_bot.knowledge.ranking import (
    Hit,
    area_prior,
    idf,
    rank_people,
    rarest_word,
    shown_evidence,
    topical_activity,
)

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
HITS = [Hit(1, 10, NOW, 3.0), Hit(2, 20, NOW, 2.0), Hit(3, 30, NOW, 1.0)]


def test_hidden_people_never_take_a_place() -> None:
    assert [p.person_id for p in rank_people(HITS, now=NOW, limit=2)] == [10, 20]
    hidden = rank_people(HITS, now=NOW, limit=2, exclude=frozenset({10}))
    assert [p.person_id for p in hidden] == [20, 30]


def test_a_boost_can_earn_a_place_before_the_cut() -> None:
    boosted = rank_people(HITS, now=NOW, limit=2, boosts={30: 4.0})
    assert [p.person_id for p in boosted] == [30, 10]


def _hit(narration: int, person: int, days_ago: float, terms: set[int], length: int = 40) -> Hit:
    return Hit(
        narration,
        person,
        NOW - timedelta(days=days_ago),
        terms=frozenset(terms),
        length=length,
    )


def test_narrating_the_topic_these_weeks_settles_a_close_call() -> None:
    # Four old matches outweigh two recent ones on text alone; the topical prior turns it.
    old = [_hit(i, 10, 200, {0}) for i in range(1, 5)]
    recent = [_hit(5, 20, 2, {0}), _hit(6, 20, 3, {0})]
    ranked = rank_people([*old, *recent], now=NOW, limit=5, term_weights=[1.0])
    assert [p.person_id for p in ranked] == [20, 10]
    assert ranked[0].topical > 1.5 > 0.01 > ranked[1].topical


def test_covering_the_specific_part_of_a_question_beats_being_busy() -> None:
    # Term 0 is rare (weight 5), term 1 is everywhere (weight 0.2).
    hits = [_hit(1, 10, 3, {0, 1}), *(_hit(i, 20, 1, {1}) for i in range(2, 12))]
    ranked = rank_people(hits, now=NOW, limit=5, term_weights=[5.0, 0.2])
    assert [p.person_id for p in ranked] == [10, 20]


def test_old_evidence_fades_slowly_and_counts_with_diminishing_returns() -> None:
    old = [_hit(i, 10, 700, {0}) for i in range(1, 7)]
    recent = [_hit(7, 20, 2, {0}), _hit(8, 20, 3, {0})]
    ranked = rank_people([*old, *recent], now=NOW, limit=5, term_weights=[1.0])
    assert [p.person_id for p in ranked] == [20, 10]
    assert ranked[1].matches == 6 and len(ranked[1].evidence) == 2


def test_long_narrations_do_not_win_by_size_alone() -> None:
    hits = [_hit(1, 10, 1, {0}, length=2000), _hit(2, 20, 1, {0}, length=60)]
    ranked = rank_people(hits, now=NOW, limit=5, term_weights=[1.0])
    assert [p.person_id for p in ranked] == [20, 10]


def test_topical_activity_halves_every_two_weeks() -> None:
    hits = [_hit(1, 10, 0, {0}), _hit(2, 10, 14, {0}), _hit(3, 10, 28, {0})]
    assert round(topical_activity(hits, now=NOW), 3) == 1.75


def test_the_regular_of_a_named_area_outranks_a_recent_passer_by() -> None:
    # "digraph: add transpose": term 0 names the area, term 1 is the specific word. The regular
    # wrote "transpose" once, half a year ago; the passer-by, three times this week.
    regular = [_hit(i, 10, 60 + 10 * i, {0}) for i in range(1, 12)] + [_hit(12, 10, 180, {0, 1})]
    passer_by = [_hit(100, 20, 2, {0, 1}), _hit(101, 20, 3, {1}), _hit(102, 20, 4, {1})]
    others = [_hit(200 + i, 30 + i, 30, {0}) for i in range(8)]
    hits = [*regular, *passer_by, *others]
    words_only = rank_people(hits, now=NOW, limit=3, term_weights=[2.0, 3.0])
    assert [p.person_id for p in words_only][:2] == [20, 10]
    ranked = rank_people(hits, now=NOW, limit=3, term_weights=[2.0, 3.0], area_terms=frozenset({0}))
    assert [p.person_id for p in ranked][:2] == [10, 20]
    assert (ranked[0].area_matches, ranked[1].area_matches) == (12, 1)


def test_an_area_barely_narrated_names_no_regulars() -> None:
    # Three matches of the area in all: the two of person 10 don't make them its owner.
    hits = [_hit(1, 10, 90, {0}), _hit(2, 10, 120, {0})]
    hits += [_hit(3, 20, 2, {0, 1}), _hit(4, 20, 3, {1})]
    ranked = rank_people(hits, now=NOW, limit=3, term_weights=[2.0, 3.0], area_terms=frozenset({0}))
    assert [p.person_id for p in ranked] == [20, 10]
    assert area_prior(2, 3) < area_prior(2, 20) == area_prior(2, 200)
    assert area_prior(0, 50) == 0.0


def test_borrowed_words_alone_name_nobody_and_leave_the_order_as_it_was() -> None:
    # Term 0 was asked; term 1 was borrowed by query expansion.
    hits = [_hit(1, 10, 1, {0, 1}), _hit(2, 10, 2, {1}), _hit(3, 30, 1, {0})]
    hits += [_hit(i, 20, 1, {1}) for i in range(4, 9)]
    weights = [2.0, 1.0]
    everyone = rank_people(hits, now=NOW, limit=5, term_weights=weights)
    assert [p.person_id for p in everyone] == [10, 30, 20]
    asked = rank_people(hits, now=NOW, limit=5, term_weights=weights, asked_terms=frozenset({0}))
    assert [p.person_id for p in asked] == [10, 30]
    assert [p.score for p in asked] == [p.score for p in everyone if p.person_id != 20]
    # The borrowed-word narration still counts for person 10, but is not shown as evidence.
    assert asked[0].matches == 2 and [h.narration_id for h in asked[0].evidence] == [1]


def test_the_newest_match_is_always_shown() -> None:
    strong = [_hit(1, 10, 30, {0, 1}, length=20), _hit(2, 10, 20, {0, 1}, length=20)]
    newest = _hit(3, 10, 1, {0}, length=400)
    ranked = rank_people([*strong, newest], now=NOW, limit=5, term_weights=[1.0, 1.0])
    assert [h.narration_id for h in ranked[0].evidence] == [3, 2]
    assert [h.narration_id for h in shown_evidence([strong[1], newest])] == [3, 2]
    assert shown_evidence([]) == []


def test_the_specialist_of_the_rarest_word_goes_ahead_within_the_first_places_only() -> None:
    # "bazel build cache": term 0 (build) is everywhere, 1 (cache) common, 2 (bazel) rare.
    weights = [0.5, 1.0, 4.0]
    generalist = [_hit(i, 10, i, {0, 1}) for i in range(1, 7)]  # build cache all week
    specialist = [_hit(20, 20, 40, {0, 1, 2}, length=120)]  # the bazel build cache, once
    others = [_hit(30 + i, 30 + i, 5 + i, {0, 1}) for i in range(4)]
    # Bazel once, long ago: the rare word's bonus would lift them to third, but they are seventh.
    outside = [_hit(60, 60, 500, {2}, length=60)]
    hits = [*generalist, *specialist, *others, *outside]
    ranked = rank_people(hits, now=NOW, limit=10, term_weights=weights)
    assert [p.person_id for p in ranked] == [20, 10, 30, 31, 32, 33, 60]
    # Had expansion borrowed "bazel", the rarest asked word is "cache", which all matched.
    common = rank_people(
        hits, now=NOW, limit=10, term_weights=weights, asked_terms=frozenset({0, 1})
    )
    assert [p.person_id for p in common] == [10, 20, 30, 31, 32, 33]


def test_the_rarest_word_is_never_the_area() -> None:
    assert rarest_word([2.0, 3.0, 1.0], frozenset(), None) == 1
    assert rarest_word([2.0, 3.0, 1.0], frozenset({1}), None) == 0
    assert rarest_word([2.0, 3.0, 1.0], frozenset({1}), frozenset({1, 2})) == 2
    assert rarest_word([2.0, 3.0], frozenset({1}), frozenset({1})) is None
    assert rarest_word([2.0, 2.0], frozenset(), None) == 0
    assert rarest_word([], frozenset(), None) is None


def _bazel_hits(shift: int) -> list[Hit]:
    """ "bazel build cache" as term indexes shifted by ``shift`` (a word before them)."""
    generalist = [_hit(i, 10, i, {shift + 0, shift + 1}) for i in range(1, 7)]
    specialist = [_hit(20, 20, 40, {shift + 0, shift + 1, shift + 2}, length=120)]
    others = [_hit(30 + i, 30 + i, 5 + i, {shift + 0, shift + 1}) for i in range(4)]
    return [*generalist, *specialist, *others]


def test_a_word_nobody_matched_is_never_the_rarest_word() -> None:
    # Weights as search makes them: a word with an empty window (a typo, a word nobody here
    # narrates) has df 0, the same top IDF as a word matched once; where the asker puts it
    # changes nothing.
    n = 5000.0
    build, cache, bazel, nobody = idf(3000, n), idf(1000, n), idf(1, n), idf(0, n)
    assert nobody == bazel
    after = rank_people(
        _bazel_hits(0), now=NOW, limit=10, term_weights=[build, cache, bazel, nobody]
    )
    before = rank_people(
        _bazel_hits(1), now=NOW, limit=10, term_weights=[nobody, build, cache, bazel]
    )
    assert after[0].person_id == 20  # the bazel specialist
    assert [p.person_id for p in before] == [p.person_id for p in after]
    assert rarest_word([5.0, 5.0, 1.0], frozenset(), None, matched=frozenset({1, 2})) == 1
    assert rarest_word([5.0, 1.0], frozenset(), None, matched=frozenset()) is None


def test_who_the_rarest_word_moved_up_is_marked_with_it() -> None:
    ranked = rank_people(_bazel_hits(0), now=NOW, limit=10, term_weights=[0.5, 1.0, 4.0])
    assert [(p.person_id, p.lifted_by) for p in ranked[:2]] == [(20, 2), (10, None)]
    assert all(p.lifted_by is None for p in ranked[1:])


def test_the_rarest_word_is_by_idf_not_by_a_path_s_weight() -> None:
    # "folding_range in libsodium": the identifier's phrase (term 2) weighs ×2 in the score,
    # yet 40 narrations hold it and 3 hold "libsodium" (term 3), the rarest word.
    n = 5000.0
    idfs = [idf(60, n), idf(300, n), idf(40, n), idf(3, n)]
    weights = [idfs[0], idfs[1], 2 * idfs[2], idfs[3]]
    assert weights[2] > weights[3]
    phrase = [_hit(i, 10, i, {0, 1, 2}) for i in range(1, 5)]  # folding_range all week
    both = [_hit(20, 20, 40, {0, 1, 2, 3}, length=120)]  # libsodium's folding_range, once
    ranked = rank_people([*phrase, *both], now=NOW, limit=5, term_weights=weights)
    assert [p.person_id for p in ranked] == [10, 20]
    ranked = rank_people([*phrase, *both], now=NOW, limit=5, term_weights=weights, term_idfs=idfs)
    assert [(p.person_id, p.lifted_by) for p in ranked] == [(20, 3), (10, None)]
