"""Turning matched narrations into ranked people: a document model with recency.

Each matched narration is evidence for its author, weighted by how well it matches (the engine's
relevance, normalized per question so SQLite's bm25 and PostgreSQL's ts_rank_cd are comparable)
and by how recent it is. A person's score sums their evidence with diminishing returns, so one
prolific narrator doesn't drown out three people who each know the topic well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

RECENCY_HALF_LIFE_DAYS = 180.0
EVIDENCE_PER_PERSON = 2


@dataclass(frozen=True)
class Hit:
    narration_id: int
    person_id: int
    created_at: datetime
    relevance: float


@dataclass
class RankedPerson:
    person_id: int
    score: float
    matches: int
    last_at: datetime
    evidence: list[Hit] = field(default_factory=list)


def recency_weight(created_at: datetime, now: datetime) -> float:
    age_days = max((now - created_at).total_seconds() / 86400.0, 0.0)
    return float(0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS))


def rank_people(
    hits: list[Hit],
    *,
    now: datetime,
    limit: int,
    exclude: frozenset[int] = frozenset(),
    boosts: Mapping[int, float] | None = None,
) -> list[RankedPerson]:
    """People ranked by their evidence.

    ``exclude`` drops people who asked to stay out of answers on this topic (``hide-me``);
    ``boosts`` multiplies the score of people who declared the topic (``ask-me-about``). Both are
    applied before the cut to ``limit`` so a hidden person never takes a place and a boosted one
    can earn it.
    """
    hits = [h for h in hits if h.person_id not in exclude]
    if not hits:
        return []
    boosts = boosts or {}
    top = max(h.relevance for h in hits) or 1.0
    per_person: dict[int, list[tuple[float, Hit]]] = defaultdict(list)
    for hit in hits:
        weight = (max(hit.relevance, 0.0) / top) * recency_weight(hit.created_at, now)
        per_person[hit.person_id].append((weight, hit))
    ranked: list[RankedPerson] = []
    for person_id, weighted in per_person.items():
        weighted.sort(key=lambda pair: pair[0], reverse=True)
        # Diminishing returns: the k-th piece of evidence counts 1/k as much.
        score = sum(w / (rank + 1) for rank, (w, _) in enumerate(weighted))
        score *= boosts.get(person_id, 1.0)
        ranked.append(
            RankedPerson(
                person_id=person_id,
                score=score,
                matches=len(weighted),
                last_at=max(h.created_at for _, h in weighted),
                evidence=[h for _, h in weighted[:EVIDENCE_PER_PERSON]],
            )
        )
    ranked.sort(key=lambda p: (-p.score, -p.last_at.timestamp(), p.person_id))
    return ranked[:limit]
