"""Finding the evidence for a question, among the narrations the asker may read, at bounded cost.

Per search term, the index returns only the most recent ``TERM_WINDOW`` visible matches (FTS5
walks its doclist backwards by rowid, PostgreSQL walks the (tenant, created_at) index backwards),
so a word found in every narration costs the same as a rare one. The term's specificity comes from
the same window: exact when the window isn't full, otherwise extrapolated from how much time the
window spans. The activity prior is then read for the best text candidates only, from their
visible narrations of the last weeks. ``knowledge.ranking`` does the rest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from ..knowledge.ranking import (
    ACTIVITY_WINDOW_DAYS,
    Hit,
    activity_score,
    idf,
    text_scores,
)
from ..knowledge.words import SearchTerm
from . import fulltext
from .repositories import visible_to
from .tables import Channel, Narration, Person

TERM_WINDOW = 1000
PRIOR_CANDIDATES = 200


@dataclass
class Evidence:
    """What the ranking needs: matched narrations, each term's weight, and activity priors."""

    hits: list[Hit] = field(default_factory=list)
    term_weights: list[float] = field(default_factory=list)
    activity: dict[int, float] = field(default_factory=dict)


def _available(now: datetime) -> ColumnElement[bool]:
    """Enrolled, not paused: paused and departed people are never suggested."""
    return (col(Person.consent) == "joined") & or_(
        col(Person.paused_until).is_(None), col(Person.paused_until) <= now
    )


def _visible(
    tenant_id: int, viewer_user_id: str, answer_channel_pk: int | None, before: datetime | None
) -> list[ColumnElement[bool]]:
    return [
        cast(
            ColumnElement[bool],
            visible_to(
                tenant_id=tenant_id,
                viewer_user_id=viewer_user_id,
                answer_channel_pk=answer_channel_pk,
            ),
        ),
        _until(before),
    ]


def _term_statement(
    dialect: str, term: SearchTerm, conditions: list[ColumnElement[bool]]
) -> Select[int, int, datetime, int]:
    columns = (
        col(Narration.id),
        col(Narration.person_id),
        col(Narration.created_at),
        func.length(col(Narration.text)),
    )
    if dialect == "sqlite":
        recent = fulltext.sqlite_recent_matches(term, TERM_WINDOW * 2)
        base = select(*columns).select_from(
            recent.join(Narration, col(Narration.id) == recent.c.id)
        )
        order: ColumnElement[Any] = recent.c.id.desc()
    else:
        base = select(*columns).select_from(Narration).where(fulltext.pg_match(term))
        order = col(Narration.created_at).desc()
    statement = (
        base.join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .where(*conditions)
        .order_by(order)
        .limit(TERM_WINDOW)
    )
    return cast(Select[int, int, datetime, int], statement)


async def find_evidence(
    session: AsyncSession,
    *,
    dialect: str,
    tenant_id: int,
    viewer_user_id: str,
    answer_channel_pk: int | None,
    terms: list[SearchTerm],
    now: datetime,
    before: datetime | None = None,
) -> Evidence:
    """Visible matches of each term, the terms' weights, and the candidates' recent activity.

    Never the viewer's own narrations, never paused or departed people. ``before`` (exclusive)
    replays history: the evaluation asks as of a past moment.
    """
    terms = [t for t in terms if fulltext.searchable(t)]
    if not terms:
        return Evidence()
    end = before if before is not None else now
    conditions = [
        *_visible(tenant_id, viewer_user_id, answer_channel_pk, before),
        col(Person.user_id) != viewer_user_id,
        _available(now),
    ]
    found: dict[int, tuple[int, datetime, int]] = {}
    matched: dict[int, set[int]] = defaultdict(set)
    frequencies: list[float] = []
    for index, term in enumerate(terms):
        rows = list(await session.exec(_term_statement(dialect, term, conditions)))
        for narration_id, person_id, created_at, length in rows:
            found[narration_id] = (person_id, created_at, int(length or 0))
            matched[narration_id].add(index)
        frequencies.append(float(len(rows)))
        if len(rows) >= TERM_WINDOW:
            frequencies[-1] = await _extrapolated_frequency(
                session, tenant_id=tenant_id, before=before, end=end, oldest=min(r[2] for r in rows)
            )
    if not found:
        return Evidence()
    size = await _collection_size(session, tenant_id=tenant_id, before=before)
    weights = [idf(df, size) * term.weight for df, term in zip(frequencies, terms, strict=True)]
    hits = [
        Hit(
            narration_id=narration_id,
            person_id=person_id,
            created_at=created_at,
            terms=frozenset(matched[narration_id]),
            length=length,
        )
        for narration_id, (person_id, created_at, length) in found.items()
    ]
    activity = await _activity(
        session,
        candidates=_best_candidates(hits, now=end, term_weights=weights),
        conditions=_visible(tenant_id, viewer_user_id, answer_channel_pk, before),
        end=end,
    )
    return Evidence(hits=hits, term_weights=weights, activity=activity)


def _best_candidates(hits: list[Hit], *, now: datetime, term_weights: list[float]) -> list[int]:
    per_person = text_scores(hits, now=now, term_weights=term_weights)
    strongest = sorted(per_person, key=lambda p: -sum(w for w, _ in per_person[p]))
    return strongest[:PRIOR_CANDIDATES]


async def _activity(
    session: AsyncSession,
    *,
    candidates: list[int],
    conditions: list[ColumnElement[bool]],
    end: datetime,
) -> dict[int, float]:
    """Decayed count of each candidate's visible narrations in the last weeks."""
    if not candidates:
        return {}
    statement = (
        select(col(Narration.person_id), col(Narration.created_at))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            col(Narration.person_id).in_(candidates),
            col(Narration.created_at) >= end - timedelta(days=ACTIVITY_WINDOW_DAYS),
            *conditions,
        )
    )
    times: dict[int, list[datetime]] = defaultdict(list)
    for person_id, created_at in await session.exec(statement):
        times[person_id].append(created_at)
    return {person: activity_score(stamps, end) for person, stamps in times.items()}


def _until(before: datetime | None) -> ColumnElement[bool]:
    return col(Narration.created_at) < before if before is not None else true()


async def _collection_size(
    session: AsyncSession, *, tenant_id: int, before: datetime | None
) -> float:
    """How many narrations the tenant had: the N in IDF (a statistic, never shown)."""
    statement = select(func.count()).where(col(Narration.tenant_id) == tenant_id, _until(before))
    return float((await session.exec(statement)).one())


async def _extrapolated_frequency(
    session: AsyncSession,
    *,
    tenant_id: int,
    before: datetime | None,
    end: datetime,
    oldest: datetime,
) -> float:
    """A full window only says the term is common: scale its count by the time it spans."""
    statement = select(func.min(col(Narration.created_at))).where(
        col(Narration.tenant_id) == tenant_id, _until(before)
    )
    first = (await session.exec(statement)).one() or oldest
    span = max((end - oldest).total_seconds(), 1.0)
    history = max((end - first).total_seconds(), span)
    return TERM_WINDOW * history / span
