"""Taking days back out of a channel's skip dates (``/narrate schedule unskip``).

Kept apart from ``schedules`` (which adds and reads them), so undoing a skip is one idea in one
place: a skip is a range, and the days asked back may be all of it, its start, its end or its
middle, so ranges are cut, not only deleted.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .schedule_tables import ScheduleSkip


async def unskip(
    session: AsyncSession, *, channel_pk: int, first_day: date, last_day: date
) -> bool:
    """Prompts again on ``first_day``..``last_day`` (inclusive); whether any of them was skipped.

    The caller holds the workspace's row first (``repositories.hold_tenant``): two people
    cutting the same range at once would each keep the part the other took back."""
    first, last = first_day.isoformat(), last_day.isoformat()
    rows = (
        await session.exec(
            select(ScheduleSkip).where(
                ScheduleSkip.channel_pk == channel_pk,
                col(ScheduleSkip.first_day) <= last,
                col(ScheduleSkip.last_day) >= first,
            )
        )
    ).all()
    for row in rows:
        if row.first_day < first:
            before = (first_day - timedelta(days=1)).isoformat()
            session.add(
                ScheduleSkip(channel_pk=channel_pk, first_day=row.first_day, last_day=before)
            )
        if row.last_day > last:
            after = (last_day + timedelta(days=1)).isoformat()
            session.add(ScheduleSkip(channel_pk=channel_pk, first_day=after, last_day=row.last_day))
        await session.delete(row)
    await session.flush()
    return bool(rows)
