"""Departures the platform reports in bulk (``ports.DepartureCheck``): who is still taken as
present in a workspace, and marking the deactivated ones departed, as a ``user_change`` with
``deleted`` would have (``repositories.ensure_person``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .tables import Person


async def present_user_ids(session: AsyncSession, *, tenant_id: int) -> list[str]:
    """The platform ids of the tenant's people not marked departed."""
    rows = await session.exec(
        select(Person.user_id)
        .where(Person.tenant_id == tenant_id, col(Person.departed_at).is_(None))
        .order_by(col(Person.id))
    )
    return list(rows.all())


async def mark_departed(
    session: AsyncSession, *, tenant_id: int, user_ids: Collection[str], now: datetime
) -> int:
    """Mark these people departed (those not already); how many were."""
    if not user_ids:
        return 0
    result = await session.exec(
        update(Person)
        .where(
            col(Person.tenant_id) == tenant_id,
            col(Person.user_id).in_(list(user_ids)),
            col(Person.departed_at).is_(None),
        )
        .values(departed_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
