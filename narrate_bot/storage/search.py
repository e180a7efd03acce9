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

from sqlalchemy import ColumnElement, case, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from ..knowledge.ranking import (
    Hit,
    activity_steps,
    idf,
)
from ..knowledge.words import SearchTerm
from . import fulltext
from .repositories import visible_to
from .tables import Channel, Narration, Person

TERM_WINDOW = 300
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
    windows: list[tuple[int, datetime | None]] = []
    for index, term in enumerate(terms):
        rows = list(await session.exec(_term_statement(dialect, term, conditions)))
        for narration_id, person_id, created_at, length in rows:
            found[narration_id] = (person_id, created_at, int(length or 0))
            matched[narration_id].add(index)
        windows.append((len(rows), min((r[2] for r in rows), default=None)))
    if not found:
        return Evidence()
    history = await _History.read(session, tenant_id=tenant_id, before=before, end=end)
    size = history.estimate(*await _collection_window(session, tenant_id=tenant_id, before=before))
    weights = [
        idf(history.estimate(count, oldest), size) * term.weight
        for (count, oldest), term in zip(windows, terms, strict=True)
    ]
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
        candidates=_best_candidates(hits, term_weights=weights),
        conditions=_visible(tenant_id, viewer_user_id, answer_channel_pk, before),
        end=end,
    )
    return Evidence(hits=hits, term_weights=weights, activity=activity)


def _best_candidates(hits: list[Hit], *, term_weights: list[float]) -> list[int]:
    """People whose prior is worth reading: the most matched query specificity, summed."""
    strength: dict[int, float] = defaultdict(float)
    for hit in hits:
        strength[hit.person_id] += sum(term_weights[i] for i in hit.terms)
    return sorted(strength, key=lambda p: -strength[p])[:PRIOR_CANDIDATES]


async def _activity(
    session: AsyncSession,
    *,
    candidates: list[int],
    conditions: list[ColumnElement[bool]],
    end: datetime,
) -> dict[int, float]:
    """Decayed count of each candidate's visible narrations in the last weeks, summed in SQL."""
    if not candidates:
        return {}
    steps = activity_steps()
    weight = case(
        *((col(Narration.created_at) >= end - timedelta(days=days), w) for days, w in steps),
        else_=0.0,
    )
    statement = (
        select(col(Narration.person_id), func.sum(weight))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            col(Narration.person_id).in_(candidates),
            col(Narration.created_at) >= end - timedelta(days=steps[-1][0]),
            *conditions,
        )
        .group_by(col(Narration.person_id))
    )
    return {person: float(total or 0.0) for person, total in await session.exec(statement)}


def _until(before: datetime | None) -> ColumnElement[bool]:
    return col(Narration.created_at) < before if before is not None else true()


@dataclass(frozen=True)
class _History:
    """When the tenant's narrations start, to turn a full window into a frequency estimate."""

    end: datetime
    first: datetime | None

    @classmethod
    async def read(
        cls, session: AsyncSession, *, tenant_id: int, before: datetime | None, end: datetime
    ) -> _History:
        statement = select(func.min(col(Narration.created_at))).where(
            col(Narration.tenant_id) == tenant_id, _until(before)
        )
        return cls(end=end, first=(await session.exec(statement)).one())

    def estimate(self, count: int, oldest: datetime | None) -> float:
        """``count`` exactly when the window wasn't full; otherwise the window's count scaled
        by how much of the tenant's history it spans (steady narration assumed)."""
        if count < TERM_WINDOW or oldest is None or self.first is None:
            return float(count)
        span = max((self.end - oldest).total_seconds(), 1.0)
        return count * max((self.end - self.first).total_seconds(), span) / span


async def _collection_window(
    session: AsyncSession, *, tenant_id: int, before: datetime | None
) -> tuple[int, datetime | None]:
    """The tenant's narrations as a window like a term's: N in IDF (a statistic, never shown).

    Counting every narration would cost a scan of a million index entries; the time of the
    ``TERM_WINDOW``-th most recent one is a bounded read and extrapolates the same way.
    """
    newest = (
        select(col(Narration.created_at))
        .where(col(Narration.tenant_id) == tenant_id, _until(before))
        .order_by(col(Narration.created_at).desc())
        .limit(TERM_WINDOW)
        .subquery()
    )
    count, oldest = (await session.exec(select(func.count(), func.min(newest.c.created_at)))).one()
    return int(count), oldest
