"""Rows numbered per tenant (schedules here; a week's introductions go in one batch by the same
rule, ``intro_repo.add_introductions``): "#1" is the workspace's first, whatever other
workspaces on the same database hold, and a number is never given twice.

The next number is the tenant's highest + 1. Two replicas inserting for one tenant at once may
read the same highest number: the unique index on (tenant, number) rejects the second insert,
which is built and tried again in a fresh savepoint (PostgreSQL's READ COMMITTED sees the
winner's row once it committed). SQLite serializes writers (``BEGIN IMMEDIATE``), so it never
retries. No lock on the tenant row: these inserts are rare, and a retry is cheaper than making
every writer queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

ATTEMPTS = 5  # inserts racing for one tenant's next number before one gives up

Row = TypeVar("Row", bound=SQLModel)


async def insert_numbered(session: AsyncSession, build: Callable[[], Awaitable[Row]]) -> Row:
    """Insert the row ``build`` makes (reading the next number afresh each time), retried
    while another writer takes that number first."""
    attempt = 0
    while True:
        attempt += 1
        row = await build()
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
        else:
            return row
