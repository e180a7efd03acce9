"""Another connection in the middle of a write, for tests of what answers meanwhile."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from narrate_bot.storage import database
from narrate_bot.storage.database import Database

FAST_MS = 200  # the busy timeout set by ``short_busy_timeout``: a wait for the lock fails after it


async def short_busy_timeout(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """New connections wait ``FAST_MS`` for SQLite's write lock, not seconds, before failing
    with "database is locked" (PostgreSQL has no such timeout: nothing changes there)."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", FAST_MS)
    await db.dispose()


@contextmanager
def another_writer(db: Database) -> Iterator[None]:
    """Another connection to the same database writing, uncommitted, until the block ends: on
    SQLite it holds the write lock (``BEGIN IMMEDIATE``), on PostgreSQL the workspace rows'
    locks."""
    url = make_url(db.url)
    if db.dialect == "sqlite":
        lite = sqlite3.connect(url.database or "", isolation_level=None)
        try:
            lite.execute("BEGIN IMMEDIATE")
            lite.execute("UPDATE tenant SET name = name")
            yield
        finally:
            lite.execute("ROLLBACK")
            lite.close()
        return
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as pg:
        pg.execute("UPDATE tenant SET name = name")
        try:
            yield
        finally:
            pg.rollback()


@asynccontextmanager
async def narrations_locked(db: Database, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Another connection holds what storing a narration needs, and ``db``'s connections give
    up waiting for it after ``FAST_MS``: on SQLite the write lock (``another_writer``), on
    PostgreSQL the narration table (reads go on, writes wait) with a short ``lock_timeout``."""
    if db.dialect == "sqlite":
        await short_busy_timeout(db, monkeypatch)
        with another_writer(db):
            yield
        return

    def _short_lock_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = '{FAST_MS}ms'")
        cursor.close()
        dbapi_connection.commit()  # a SET in a transaction rolled back is undone

    event.listen(db.engine.sync_engine, "connect", _short_lock_timeout)
    await db.dispose()
    libpq = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as pg:
        pg.execute("LOCK TABLE narration IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            pg.rollback()
            event.remove(db.engine.sync_engine, "connect", _short_lock_timeout)
            await db.dispose()
