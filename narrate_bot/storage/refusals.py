"""Noting a platform's refusal that stays until someone changes something, for every repair.

A repair's row (an orphaned post's place, a message quoting narrations, an introduction's post)
keeps when the platform first refused for good (``refused_at``), so the refusal is logged once
per row, and is put off for long (the repairs' ``REFUSED_WAIT``) rather than by the back-off,
or until the bot is added to the row's channel again (``AT_ONCE``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

# A due time before any wake-up's: a refused row made due at once when the bot is back in its
# channel (``reachable_again`` of each repair), as migration 0044's trigger makes a post due.
AT_ONCE = datetime(1970, 1, 1, tzinfo=UTC)


async def refused(
    session: AsyncSession,
    table: type[SQLModel],
    *,
    row: ColumnElement[bool],
    due: Any,
    refused_at: Any,
    at: datetime,
    retry_at: datetime,
) -> bool:
    """Put the ``row`` of ``table`` off until ``retry_at`` (its ``due`` column), noting when it
    was first refused (its ``refused_at`` column): whether this was that first refusal (the one
    to log). ``row`` may also say "unless a newer change made it due since": then that stands."""
    first = await session.exec(
        update(table)
        .where(row, col(refused_at).is_(None))
        .values({col(due): retry_at, col(refused_at): at})
    )
    if first.rowcount:
        return True
    await session.exec(update(table).where(row).values({col(due): retry_at}))
    return False
