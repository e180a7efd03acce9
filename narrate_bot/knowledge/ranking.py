"""Turning matched narrations into ranked people: a document model, recency and a topical prior.

Each matched narration is evidence for its author. Its strength is the share of the question's
specificity it covers (the IDF of the terms it matches, over the IDF of all of them), with BM25's
length normalization so a long daily summary doesn't match everything by sheer size, and a slow
recency decay. A person's text score sums their evidence with diminishing returns, so one prolific
narrator doesn't drown out several people who each know the topic well. The final score adds a
candidate prior: how much the person has narrated about *this topic* lately (their matches,
decayed with a two-week half-life), on a log scale so it settles close calls between people with
similar evidence. Being busy with other things lifts nobody, and the prior needs nothing beyond
the matches already in hand. When the question names its area (a path, or the label it leads
with: "gopls: ..."), a second prior counts each person's matches of that area, whenever they
were: the people who keep narrating an area are who colleagues ask about it, even in a month
they have been quiet. Only people with a match on a word the asker typed are ranked: words
the query expansion borrowed re-rank them, and never name anyone on their own. Last, the first
few places are reordered by the question's rarest asked word (not its area): each of them gains
their best evidence containing it, shared among everyone who matched it, so the specialist of
that word goes ahead of a busier generalist, and nobody is lifted from further down.
docs/adr/0006-ranking-v2.md records the model and every configuration measured.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

RECENCY_HALF_LIFE_DAYS = 365.0
TOPICAL_HALF_LIFE_DAYS = 14.0
PRIOR_WEIGHT = 0.4
BM25_K1 = 1.2
BM25_B = 0.5
EVIDENCE_PER_PERSON = 2
AREA_WEIGHT = 0.8
# An area matched this many times in all is established enough for its prior to count in full.
AREA_ESTABLISHED = 20
# The places the question's rarest word reorders, and how much its evidence counts there.
RAREST_WORD_PLACES = 5
RAREST_WORD_WEIGHT = 2.5


@dataclass(frozen=True)
class Hit:
    """A narration matching the question.

    ``terms`` are the indexes (into the question's term weights) of the terms it matched;
    ``relevance`` is used instead when a caller has no per-term detail.
    """

    narration_id: int
    person_id: int
    created_at: datetime
    relevance: float = 1.0
    terms: frozenset[int] = frozenset()
    length: int = 0


@dataclass
class RankedPerson:
    """A person worth suggesting: the score, and what an answer shows and counts.

    ``hits`` are all their matched narrations, strongest first; ``evidence`` the ones shown (their
    newest match of an asked word and the strongest other, newest first). ``lifted_by`` is the
    question's rarest word (an index into its terms) when it moved them up, for the answer to
    name it.
    """

    person_id: int
    score: float
    matches: int
    last_at: datetime
    evidence: list[Hit] = field(default_factory=list)
    topical: float = 0.0
    area_matches: int = 0
    hits: list[Hit] = field(default_factory=list)
    lifted_by: int | None = None


def decay(age_days: float, half_life_days: float) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def recency_weight(created_at: datetime, now: datetime) -> float:
    return decay((now - created_at).total_seconds() / 86400.0, RECENCY_HALF_LIFE_DAYS)


def idf(document_frequency: float, collection_size: float) -> float:
    """BM25's IDF, always positive: a term in every narration still counts a little."""
    df = max(document_frequency, 1.0)
    n = max(collection_size, df)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def topical_activity(hits: Sequence[Hit], *, now: datetime) -> float:
    """How much a person has narrated about the question lately: their matches, each decayed.

    Three matches this week count about three; one a month ago about a quarter. A prior built
    from global activity (every narration, any topic) was the first choice: it ranked busy people
    first on topics they barely touch, and reading it was a third of the latency at a million
    narrations (ADR 0006, "the topical prior").
    """
    return sum(
        decay((now - hit.created_at).total_seconds() / 86400.0, TOPICAL_HALF_LIFE_DAYS)
        for hit in hits
    )


def area_prior(matches: int, area_total: int) -> float:
    """How much a person's narrations of the question's area lift them: log(1 + their matches),
    scaled by how established the area is. An area matched a handful of times in all says little
    about who owns it; one matched twenty times or more names its regulars (ADR 0006,
    "Follow-up 3: the area a question names").
    """
    if not matches or not area_total:
        return 0.0
    return AREA_WEIGHT * math.log1p(matches) * min(1.0, area_total / AREA_ESTABLISHED)


def _evidence_weight(
    hit: Hit, term_weights: Sequence[float], total: float, top: float, avg_length: float
) -> float:
    if hit.terms:
        coverage = sum(term_weights[i] for i in hit.terms) / total
    else:
        coverage = max(hit.relevance, 0.0) / top
    if hit.length and avg_length:
        norm = 1.0 - BM25_B + BM25_B * hit.length / avg_length
        coverage *= (BM25_K1 + 1.0) / (1.0 + BM25_K1 * norm)
    return coverage


def text_scores(
    hits: Sequence[Hit],
    *,
    now: datetime,
    term_weights: Sequence[float] = (),
) -> dict[int, list[tuple[float, Hit]]]:
    """Each person's evidence, strongest first."""
    total = sum(term_weights) or 1.0
    top = max((h.relevance for h in hits), default=1.0) or 1.0
    lengths = [h.length for h in hits if h.length]
    avg_length = sum(lengths) / len(lengths) if lengths else 0.0
    per_person: dict[int, list[tuple[float, Hit]]] = defaultdict(list)
    for hit in hits:
        weight = _evidence_weight(hit, term_weights, total, top, avg_length)
        per_person[hit.person_id].append((weight * recency_weight(hit.created_at, now), hit))
    for weighted in per_person.values():
        # Ties go to the newer narration (ids grow with time).
        weighted.sort(key=lambda pair: (-pair[0], -pair[1].narration_id))
    return per_person


def rank_people(
    hits: list[Hit],
    *,
    now: datetime,
    limit: int,
    exclude: frozenset[int] = frozenset(),
    boosts: Mapping[int, float] | None = None,
    term_weights: Sequence[float] = (),
    area_terms: frozenset[int] = frozenset(),
    asked_terms: frozenset[int] | None = None,
    term_idfs: Sequence[float] | None = None,
) -> list[RankedPerson]:
    """People ranked by their evidence, reordered by how much of it is recent and by how often
    they narrated the question's area (``area_terms``: indexes into ``term_weights``).

    Only people with evidence are ranked, and only their matches feed the prior, so narrating a
    lot about other things lifts nobody. When ``asked_terms`` names the terms the asker typed
    (the rest were borrowed by query expansion), only people with a match on one of them are
    ranked: borrowed words add to the evidence of people who qualify, and name nobody on their
    own. ``exclude`` drops people who asked to stay out of answers on this topic (``hide-me``);
    ``boosts`` multiplies the score of people who declared the topic (``ask-me-about``). Both are
    applied before the cut to ``limit`` so a hidden person never takes a place and a boosted one
    can earn it. The question's rarest word is picked by ``term_idfs`` (each term's IDF before
    its own factor, so a path's ×2 makes no common phrase "rare"; ``term_weights`` without them).
    """
    hits = [h for h in hits if h.person_id not in exclude]
    if not hits:
        return []
    boosts = boosts or {}
    area_total = sum(1 for hit in hits if hit.terms & area_terms)
    ranked: list[RankedPerson] = []
    strongest: dict[int, list[tuple[float, Hit]]] = {}
    # Everyone's matches still set the length normalization, so dropping the people who only
    # matched borrowed words leaves the others' scores (and order) exactly as they were.
    for person_id, weighted in text_scores(hits, now=now, term_weights=term_weights).items():
        asked = [hit for _, hit in weighted if asked_terms is None or hit.terms & asked_terms]
        if not asked:
            continue
        # Diminishing returns: the k-th piece of evidence counts 1/sqrt(k) as much.
        text = sum(w / math.sqrt(rank + 1) for rank, (w, _) in enumerate(weighted))
        topical = topical_activity([hit for _, hit in weighted], now=now)
        in_area = sum(1 for _, hit in weighted if hit.terms & area_terms)
        boost = max(boosts.get(person_id, 1.0), 1e-9)
        score = (
            math.log(text + 1e-9)
            + PRIOR_WEIGHT * math.log1p(topical)
            + area_prior(in_area, area_total)
            + math.log(boost)
        )
        strongest[person_id] = weighted
        ranked.append(
            RankedPerson(
                person_id=person_id,
                score=score,
                matches=len(weighted),
                last_at=max(h.created_at for _, h in weighted),
                evidence=shown_evidence(asked),
                topical=topical,
                area_matches=in_area,
                hits=[hit for _, hit in weighted],
            )
        )
    ranked.sort(key=_order)
    # A word no ranked candidate matched (a typo, or nobody here narrates it) singles out nobody.
    matched = frozenset(
        i for weighted in strongest.values() for _, hit in weighted for i in hit.terms
    )
    rarity = term_weights if term_idfs is None else term_idfs
    rarest = rarest_word(rarity, area_terms, asked_terms, matched=matched)
    if rarest is not None:
        ranked[:RAREST_WORD_PLACES] = _by_rarest_word(
            ranked[:RAREST_WORD_PLACES], strongest, rarest
        )
    return ranked[:limit]


def _order(person: RankedPerson) -> tuple[float, float, int]:
    return (-person.score, -person.last_at.timestamp(), person.person_id)


def rarest_word(
    idfs: Sequence[float],
    area_terms: frozenset[int],
    asked_terms: frozenset[int] | None,
    *,
    matched: frozenset[int] | None = None,
) -> int | None:
    """The asked term with the highest IDF that doesn't name the question's area (which has
    its own prior) and, when ``matched`` is given, is among the terms someone matched: a word
    nobody narrates has the top IDF, and taking it would turn the rule off depending on where
    the asker put it. Ties go to the earlier term. None when there is no such term."""
    asked = range(len(idfs)) if asked_terms is None else asked_terms
    words = [
        i
        for i in asked
        if 0 <= i < len(idfs) and i not in area_terms and (matched is None or i in matched)
    ]
    if not words:
        return None
    return min(words, key=lambda i: (-idfs[i], i))


def _by_rarest_word(
    top: list[RankedPerson], strongest: Mapping[int, list[tuple[float, Hit]]], word: int
) -> list[RankedPerson]:
    """``top`` reordered after each gains RAREST_WORD_WEIGHT × their best evidence containing
    ``word`` ÷ √(everyone ranked who matched it): a word few people narrate about singles out
    its specialists; one many matched says little (ADR 0006, Follow-up 13)."""
    matched = sum(
        1 for weighted in strongest.values() if any(word in hit.terms for _, hit in weighted)
    )
    if not matched:
        return top
    share = RAREST_WORD_WEIGHT / math.sqrt(matched)
    for person in top:
        best = max((w for w, hit in strongest[person.person_id] if word in hit.terms), default=0.0)
        person.score += share * best
    before = {person.person_id: place for place, person in enumerate(top)}
    reordered = sorted(top, key=_order)
    for place, person in enumerate(reordered):
        if place < before[person.person_id]:
            person.lifted_by = word
    return reordered


def shown_evidence(hits: Sequence[Hit]) -> list[Hit]:
    """The narrations an answer shows, from ``hits`` (strongest first): the newest, so the
    answer's "last 3 days ago" is there to read, and the strongest others, newest first."""
    if not hits:
        return []
    newest = max(hits, key=lambda hit: (hit.created_at, hit.narration_id))
    others = [hit for hit in hits if hit is not newest][: EVIDENCE_PER_PERSON - 1]
    return sorted(
        [newest, *others], key=lambda hit: (hit.created_at, hit.narration_id), reverse=True
    )
