"""Another connection in the middle of a write, for tests of what answers meanwhile."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
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
