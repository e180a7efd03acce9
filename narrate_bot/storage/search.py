"""Finding narrations that match a question, among those the asker may read.

The engine's index does the matching and a first relevance; ``knowledge.ranking`` does the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.ranking import Hit
from . import fulltext
from .repositories import visible_to
from .tables import Channel, Narration, Person

CANDIDATES = 400


def _available(now: datetime) -> ColumnElement[bool]:
    """Enrolled, not paused: paused and departed people are never suggested."""
    return (col(Person.consent) == "joined") & or_(
        col(Person.paused_until).is_(None), col(Person.paused_until) <= now
    )


async def matching_narrations(
    session: AsyncSession,
    *,
    dialect: str,
    tenant_id: int,
    viewer_user_id: str,
    answer_channel_pk: int | None,
    terms: list[str],
    now: datetime,
    before: datetime | None = None,
    limit: int = CANDIDATES,
) -> list[Hit]:
    """Up to ``limit`` best-matching narrations, never the viewer's own.

    ``before`` (exclusive) replays history: the evaluation asks as of a past moment.
    """
    if not terms:
        return []
    score: ColumnElement[float]
    if dialect == "sqlite":
        matches = fulltext.sqlite_matches(terms)
        score = matches.c.score
        base = select(
            col(Narration.id), col(Narration.person_id), col(Narration.created_at), score
        ).select_from(matches.join(Narration, col(Narration.id) == matches.c.id))
        match: ColumnElement[bool] = true()
    else:
        match, score = fulltext.pg_match(terms)
        base = select(
            col(Narration.id), col(Narration.person_id), col(Narration.created_at), score
        ).select_from(Narration)
    statement = (
        base.join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .where(
            match,
            visible_to(
                tenant_id=tenant_id,
                viewer_user_id=viewer_user_id,
                answer_channel_pk=answer_channel_pk,
            ),  # type: ignore[arg-type]
            col(Narration.created_at) < before if before is not None else true(),
            col(Person.user_id) != viewer_user_id,
            _available(now),
        )
        .order_by(score.desc())
        .limit(limit)
    )
    rows = await session.exec(statement)
    return [
        Hit(narration_id=cast(int, r[0]), person_id=r[1], created_at=r[2], relevance=float(r[3]))
        for r in rows
    ]
