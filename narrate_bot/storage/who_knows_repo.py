"""Queries on who-knows answers and whether they helped (``who_knows_tables.WhoKnowsAnswer``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import conflict_insert
from .who_knows_tables import WhoKnowsAnswer


async def record(
    session: AsyncSession, *, tenant_id: int, token: str, asker_user_id: str, now: datetime
) -> None:
    """Keep an answer given to ``asker_user_id``; the same token again (a replica, a retry of
    the same question at the same moment) is the same answer, kept once."""
    insert = conflict_insert(session, WhoKnowsAnswer).values(
        tenant_id=tenant_id, token=token, asker_user_id=asker_user_id, asked_at=now
    )
    await session.exec(insert.on_conflict_do_nothing(index_elements=["tenant_id", "token"]))


async def find(session: AsyncSession, *, tenant_id: int, token: str) -> WhoKnowsAnswer | None:
    found = await session.exec(
        select(WhoKnowsAnswer).where(
            col(WhoKnowsAnswer.tenant_id) == tenant_id, col(WhoKnowsAnswer.token) == token
        )
    )
    return found.first()


async def mark_helped(session: AsyncSession, *, answer_id: int, now: datetime) -> bool:
    """Say the answer helped, unless that was said already: ``True`` only for the first time,
    in one statement, so two clicks on two replicas count once."""
    result = await session.exec(
        update(WhoKnowsAnswer)
        .where(col(WhoKnowsAnswer.id) == answer_id, col(WhoKnowsAnswer.helped_at).is_(None))
        .values(helped_at=now)
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class Helped:
    """The workspace's who-knows answers, how many helped, and how many people asked."""

    answers: int
    helped: int
    askers: int


async def helped(session: AsyncSession, *, tenant_id: int) -> Helped:
    answers, helped_count, askers = (
        await session.exec(
            select(
                func.count(),
                func.count(col(WhoKnowsAnswer.helped_at)),
                func.count(func.distinct(col(WhoKnowsAnswer.asker_user_id))),
            ).where(col(WhoKnowsAnswer.tenant_id) == tenant_id)
        )
    ).one()
    return Helped(answers=answers, helped=helped_count, askers=askers)
