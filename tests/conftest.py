"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when named), a frozen
clock, the bot, and the console adapter as the end-to-end harness."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from graphlib import TopologicalSorter
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from tests.helpers import Chat

POSTGRES_URL = os.environ.get("NARRATE_TEST_POSTGRES_URL")
ENGINES = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
START = datetime.fromisoformat("2026-11-23T09:00:00+01:00")

_template: dict[str, Path] = {}
_postgres_ready: list[bool] = []
_run_database: dict[str, str] = {}
_NO_FLUSH_WAIT = sql.SQL("ALTER DATABASE {} SET synchronous_commit = off")


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("NARRATE_TRACE_CONNECTIONS") and not config.pluginmanager.has_plugin(
        "tests.connection_leaks"
    ):
        from tests import connection_leaks

        config.pluginmanager.register(connection_leaks, "tests.connection_leaks")


@pytest.fixture(autouse=True)
def _heap_collectable() -> Iterator[None]:
    """An app started in a test sets its heap aside for good (``adapters/heap.py``), as it
    should once per process: each test after it starts with everything collectable again."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def _no_real_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A developer's real tokens or database must never reach a test."""
    for name in list(os.environ):
        if name.startswith(("NARRATE_SLACK", "NARRATE_DISCORD", "SLACK_", "DISCORD_")) or name in (
            "NARRATE_DATABASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
    yield


async def _sqlite_db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    if "sqlite" not in _template:
        folder = tmp_path_factory.mktemp("template")
        template = folder / "template.db"
        db = Database(f"sqlite:///{template}")
        await upgrade(db)
        await db.dispose()
        _template["sqlite"] = template
    target = tmp_path / "narrate.db"
    shutil.copyfile(_template["sqlite"], target)
    return Database(f"sqlite:///{target}")


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_run_url() -> str:
    """This run's own database, created beside the named one and dropped when the run ends.

    Two runs against one server (a developer's suite while CI runs) used to wipe each other's
    tables in the shared database and fail at random. A role that may not create databases
    gets the named database, as before.
    """
    assert POSTGRES_URL is not None
    if "url" not in _run_database:
        named = make_url(POSTGRES_URL)
        own = f"{named.database}_run{os.getpid()}"
        try:
            with psycopg.connect(_libpq(named), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(own)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
                # A commit returns without waiting for its WAL to reach the disk: what other
                # sessions see is the same, only a server crash could lose the last commits of
                # a test database. On a loaded CI machine each wait took tens of milliseconds.
                conn.execute(_NO_FLUSH_WAIT.format(sql.Identifier(own)))
        except psycopg.errors.InsufficientPrivilege:
            _run_database["url"] = POSTGRES_URL
        else:
            _run_database.update(url=named.set(database=own).render_as_string(False), own=own)
    return _run_database["url"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if "own" in _run_database and POSTGRES_URL is not None:
        with psycopg.connect(_libpq(make_url(POSTGRES_URL)), autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(_run_database["own"])))


@dataclass(frozen=True)
class _Wiped:
    """What ``TRUNCATE tenant RESTART IDENTITY CASCADE`` empties: the tables holding a key to
    ``tenant`` (directly or through others), children before their parents, and the sequences
    they own with the value each restarts at."""

    tables: tuple[str, ...]
    sequences: tuple[tuple[str, int], ...]


_wiped: list[_Wiped] = []

_CASCADE = text(
    """
    WITH RECURSIVE wiped(oid) AS (
        SELECT 'tenant'::regclass::oid
        UNION
        SELECT c.conrelid FROM pg_constraint c JOIN wiped w ON c.confrelid = w.oid
        WHERE c.contype = 'f'
    )
    SELECT c.conrelid::regclass::text, c.confrelid::regclass::text
    FROM pg_constraint c JOIN wiped w ON c.conrelid = w.oid
    WHERE c.contype = 'f' AND c.conrelid <> c.confrelid
    UNION ALL
    SELECT oid::regclass::text, NULL FROM wiped
    """
)
_OWNED = text(
    """
    SELECT d.objid::regclass::text, s.seqstart
    FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.deptype IN ('a', 'i') AND d.refobjid = ANY(CAST(:tables AS regclass[]))
    """
)


async def _what_truncate_wipes(conn: AsyncConnection) -> _Wiped:
    if not _wiped:
        parents: dict[str, set[str]] = {}
        for child, parent in (await conn.execute(_CASCADE)).all():
            parents.setdefault(child, set())
            if parent is not None:
                parents[child].add(parent)
        # Each table after every table it holds a key to; children are emptied first.
        tables = tuple(reversed(list(TopologicalSorter(parents).static_order())))
        owned = (await conn.execute(_OWNED, {"tables": list(tables)})).all()
        _wiped.append(_Wiped(tables, tuple((str(seq), int(start)) for seq, start in owned)))
    return _wiped[0]


async def _empty_the_tenants(conn: AsyncConnection) -> None:
    """The rows and identities ``TRUNCATE tenant RESTART IDENTITY CASCADE`` would wipe, wiped
    by ``DELETE`` of the tables holding rows. TRUNCATE gives every table and index it empties
    new files, syncing each index to disk (86 of them, mostly empty): 0.5 to 1.5 s per test on
    a loaded CI machine, before each of the PostgreSQL tests. The same locks are taken first,
    so a transaction a previous test left open still fails this test loudly."""
    wiped = await _what_truncate_wipes(conn)
    names = [_quote(conn, table) for table in wiped.tables]
    await conn.execute(text("SET LOCAL synchronous_commit = off"))  # nothing to keep on a crash
    await conn.execute(text(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE"))
    for _ in range(5):  # a delete trigger may write to a table already emptied: look again
        holding = " UNION ALL ".join(
            f"SELECT {n} FROM (SELECT 1 FROM {name} LIMIT 1) AS t{n}"
            for n, name in enumerate(names)
        )
        full = {int(n) for n in (await conn.execute(text(holding))).scalars()}
        if not full:
            break
        for n in sorted(full):
            await conn.execute(text(f"DELETE FROM {names[n]}"))
    else:
        await conn.execute(text("TRUNCATE tenant RESTART IDENTITY CASCADE"))
    if wiped.sequences:
        restart = ", ".join(
            f"setval({_literal(seq)}, {start}, false)" for seq, start in wiped.sequences
        )
        await conn.execute(text(f"SELECT {restart}"))


def _quote(conn: AsyncConnection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _postgres_db() -> Database:
    db = Database(_postgres_run_url())
    async with db.engine.begin() as conn:
        if not _postgres_ready:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        else:
            # A transaction a previous test left open (a background job not awaited) holds a
            # lock the wipe waits for: fail this test loudly instead of hanging the run.
            await conn.execute(text("SET LOCAL lock_timeout = '30s'"))
            await _empty_the_tenants(conn)
    if not _postgres_ready:
        await upgrade(db)
        _postgres_ready.append(True)
    return db


@pytest.fixture(params=ENGINES)
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    database = (
        await _sqlite_db(tmp_path, tmp_path_factory)
        if request.param == "sqlite"
        else await _postgres_db()
    )
    yield database
    await database.dispose()


@pytest.fixture(params=ENGINES)
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database no migration has touched, for tests that walk the revisions themselves (the
    shared PostgreSQL database of ``db`` must stay at head for every other test)."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield database
        await database.dispose()
        return
    assert POSTGRES_URL is not None
    named = make_url(POSTGRES_URL)
    own = f"{named.database}_empty{os.getpid()}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own))
    try:
        with psycopg.connect(_libpq(named), autocommit=True) as conn:
            conn.execute(drop)
            conn.execute(create)
            conn.execute(_NO_FLUSH_WAIT.format(sql.Identifier(own)))
    except psycopg.errors.InsufficientPrivilege:
        pytest.skip("this PostgreSQL role may not create a database to migrate step by step")
    database = Database(named.set(database=own).render_as_string(hide_password=False))
    yield database
    await database.dispose()
    with psycopg.connect(_libpq(named), autocommit=True) as conn:
        conn.execute(drop)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def bot(db: Database, clock: ManualClock) -> Bot:
    return Bot(db=db, clock=clock, settings=Settings())


@pytest.fixture
def chat(bot: Bot, clock: ManualClock, tmp_path: Path) -> Chat:
    return Chat.create(bot, clock, export_dir=tmp_path / "exports")
