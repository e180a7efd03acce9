"""Engines and transactions for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with a busy timeout, and every transaction starts with ``BEGIN IMMEDIATE``
so two writers queue on the busy timeout instead of failing with ``SQLITE_BUSY_SNAPSHOT``; only a
``snapshot()``, which reads and never writes, begins without taking the write lock.
``secure_delete`` zeroes freed pages so erased narrations leave no readable trace in the file.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .erasure_key import SESSION_INFO, resolve

BUSY_TIMEOUT_MS = 10_000
# A PostgreSQL host that drops packets instead of refusing them would otherwise hold a connection
# attempt (and `narrate-bot run`'s start) for the operating system's TCP timeout, minutes.
CONNECT_TIMEOUT_S = 10
READS_ONLY = "narrate_reads_only"  # execution option: begin SQLite transactions DEFERRED
# Storage writes with ``INSERT … ON CONFLICT … RETURNING``, which SQLite has since 3.35.
SQLITE_MINIMUM = (3, 35)

# Features type their sessions with this name so only storage imports sqlmodel.
Session = AsyncSession
# What a write the database can't take now raises (SQLite locked past the busy timeout, among
# other operational failures); features that may go on without their write catch this name, so
# only storage imports sqlalchemy.
DatabaseBusy = OperationalError


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (``postgresql://``, ``sqlite:///``); pick async drivers."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif driver == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver not in ("postgresql+psycopg", "postgresql+asyncpg", "sqlite+aiosqlite"):
        raise ValueError(
            f"unsupported database URL scheme {driver!r}: use sqlite:///PATH or postgresql://…"
        )
    if parsed.drivername == "sqlite+aiosqlite" and (parsed.database or "").startswith("~"):
        # ``sqlite:///~/narrate.db`` means the home folder, as ``--db ~/narrate.db`` does; the
        # driver alone would open a folder literally named "~" in the working directory.
        parsed = parsed.set(database=str(Path(parsed.database or "").expanduser()))
    return parsed.render_as_string(hide_password=False)


class SQLiteTooOld(RuntimeError):
    """The SQLite this Python's ``sqlite3`` is built with lacks what storage's statements use."""


def require_sqlite() -> None:
    """Refuse an SQLite older than ``SQLITE_MINIMUM`` before anything is opened, in words an
    operator can act on: otherwise a migration, or later someone's command (an event claim, an
    upsert), fails with a bare syntax error near ``RETURNING``."""
    if sqlite3.sqlite_version_info < SQLITE_MINIMUM:
        needed = ".".join(map(str, SQLITE_MINIMUM))
        raise SQLiteTooOld(
            f"narrate-bot needs SQLite {needed} or later, and this Python's sqlite3 module uses "
            f"SQLite {sqlite3.sqlite_version}. Run narrate-bot with a Python built with a newer "
            "SQLite, use the Docker image, or use PostgreSQL (a postgresql:// database URL)."
        )


class _StopOnceConnection(aiosqlite.Connection):
    """An aiosqlite connection whose ``stop`` queues its stop once and hands every later caller
    that stop.

    A connection SQLAlchemy invalidates while it waits in ``BEGIN IMMEDIATE`` (its task
    cancelled) is closed in a shielded task; cancelled again, SQLAlchemy gives up waiting and
    calls ``stop``, and the worker thread ends there. The close, still running, then calls
    ``stop`` a second time and awaits a reply no worker is left to send (aiosqlite 0.22): the
    event loop's close waited for it for ever, hanging the exit (and loaded test runs, about 1 in
    10 of tests/scheduling/test_wakeup.py). The first stop's reply comes once the worker
    reaches it, so that is what every caller waits for.

    A method of the connection's own class, not a wrapper kept on it: a wrapper holding the
    bound ``stop`` weakly lost it when the cycle collector freed a connection never closed, so
    ``__del__`` stopped nothing and the worker, not a daemon, held the exit for ever; held
    strongly it made a cycle, and an unclosed connection dropped at exit waited for a
    collection that never came, holding the exit the same way.
    """

    _stopped = False
    _stop_reply: asyncio.Future[Any] | None = None

    def stop(self) -> asyncio.Future[Any] | None:
        if not self._stopped:
            self._stopped = True
            self._stop_reply = super().stop()
        return self._stop_reply


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        driver = record.driver_connection
        if type(driver) is aiosqlite.Connection:  # this engine's own, not a global patch
            driver.__class__ = _StopOnceConnection
        # Let SQLAlchemy, not the driver, decide when transactions begin (SQLAlchemy's pysqlite
        # recipe), so the "begin" hook below can make them IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READS_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory; ``transaction()`` is the unit of work."""

    def __init__(self, url: str, *, echo: bool = False, erasure_key: str | None = None) -> None:
        """``erasure_key``: ``Settings.erasure_key``; unset, ``erasure_key.resolve`` finds one
        (``NARRATE_ERASURE_KEY``, else SQLite's key file) or raises ``ErasureKeyError``."""
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = "sqlite" if parsed.drivername.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            require_sqlite()
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Before the engine: a PostgreSQL database without the key is refused at startup.
        key = resolve(dialect=self.dialect, database=parsed.database, given=erasure_key)
        # A failed statement's message would otherwise carry its parameters (narration text,
        # tokens) into every log line and error report that prints the exception.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.dialect == "postgresql":
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
            if "connect_timeout" not in make_url(self.url).query:
                kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
        self.engine = create_async_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self._sessions = async_sessionmaker(
            self.engine,
            class_=AsyncSession,
            expire_on_commit=False,
            info={SESSION_INFO: key},
        )
        # Transactions of this process begun (or waiting to begin) and not yet ended: the
        # full-text scrub lets them go first between its steps (``index_scrub``).
        self.open_transactions = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together at the end, or not at all."""
        self.open_transactions += 1
        try:
            async with self._sessions() as session, session.begin():
                yield session
        finally:
            self.open_transactions -= 1

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only, which on SQLite takes no write lock: a plain (deferred)
        ``BEGIN`` reads one snapshot of the write-ahead log while writers go on. For a long read
        (the weekly introductions' inputs for thousands of people) that would otherwise hold
        ``BEGIN IMMEDIATE``'s lock and keep every command waiting. Nothing written here lands:
        it rolls back when the session closes. Rows read stay readable afterwards (closing
        detaches them; a rollback would expire them)."""
        async with self._sessions() as session:
            await session.connection(execution_options={READS_ONLY: True})
            yield session

    async def dispose(self) -> None:
        """Close the connections: those in the pool at once, and each one still in use (a
        background task's transaction at shutdown) as soon as it is given back. The engine's
        dispose alone closes only the first: the others went back to a pool nobody used again
        and stayed open (a PostgreSQL backend) until the garbage collector found them."""
        given_up = self.engine.pool
        await self.engine.dispose()
        # After the dispose: the engine's new pool copies the listeners the old one had then.
        event.listen(given_up, "checkin", _close_when_given_back)


def _close_when_given_back(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is not None:
        record.invalidate()


def conflict_insert(
    session: AsyncSession, table: type[object]
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT in the session's dialect, which can say ``ON CONFLICT``: both engines have it.

    Replicas write the same key at once (two people in one private channel, two admins, a
    double click): a read-then-insert lets both see "absent" and one insert fail. ``ON CONFLICT``
    decides in the statement; on PostgreSQL it waits for the other writer and then skips or
    updates, so neither transaction is lost.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
