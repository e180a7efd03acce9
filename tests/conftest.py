"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when named), a frozen
clock, the bot, and the console adapter as the end-to-end harness."""

from __future__ import annotations

import fcntl
import functools
import gc
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from graphlib import TopologicalSorter
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import alembic_config, upgrade
from tests.helpers import Chat

POSTGRES_URL = os.environ.get("NARRATE_TEST_POSTGRES_URL")
# Every replica a test starts (a second Database, a worker process, the real entry point) needs
# the same erasure key on PostgreSQL, as in production; set for the whole run, not by a fixture,
# so a test's ``monkeypatch.undo()`` can't take it back, and a developer's own never reaches a
# test. A test of the SQLite key file deletes it (``monkeypatch.delenv``).
TEST_ERASURE_KEY = "test-erasure-key-" + "0" * 32
os.environ["NARRATE_ERASURE_KEY"] = TEST_ERASURE_KEY
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


async def _sqlite_db(tmp_path: Path) -> Database:
    """A copy of the file migrated to head for these migrations (``_sqlite_template``), built
    by the real ``upgrade`` once and kept for later runs, as the migration tests' are."""
    if "sqlite" not in _template:
        _template["sqlite"] = await _sqlite_template(_revisions()[-1])
    target = tmp_path / "narrate.db"
    shutil.copyfile(_template["sqlite"], target)
    return Database(f"sqlite:///{target}")


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_run_url() -> str:
    """This run's own database, created beside the named one and dropped when the run ends.

    Two runs against one server (a developer's suite while CI runs) used to wipe each other's
    tables in the shared database and fail at random. It is a copy of the template migrated to
    head for these migrations (``_postgres_template``: built by the real ``upgrade`` once, kept
    for later runs). A role that may not create databases gets the named database, as before,
    migrated by ``_postgres_db``.
    """
    assert POSTGRES_URL is not None
    if "url" not in _run_database:
        named = make_url(POSTGRES_URL)
        if not _may_create_databases():
            _run_database["url"] = POSTGRES_URL
            return POSTGRES_URL
        own = f"{named.database}_run{os.getpid()}"
        template = await _postgres_template(_revisions()[-1])
        _maintenance().execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(own)))
        _create_database(own, template)
        _run_database.update(url=named.set(database=own).render_as_string(False), own=own)
    return _run_database["url"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if "own" in _run_database and POSTGRES_URL is not None:
        with psycopg.connect(_libpq(make_url(POSTGRES_URL)), autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(_run_database["own"])))
    for conn in _templates_lock:
        conn.close()  # this run's share of its templates, for a later run to prune or reuse
    _templates_lock.clear()


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
    db = Database(await _postgres_run_url())
    if not _postgres_ready:
        if "own" not in _run_database:  # the named database, as a previous run left it
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await upgrade(db)
        _postgres_ready.append(True)  # this run's own is a fresh copy of the head template
        return db
    async with db.engine.begin() as conn:
        # A transaction a previous test left open (a background job not awaited) holds a
        # lock the wipe waits for: fail this test loudly instead of hanging the run.
        await conn.execute(text("SET LOCAL lock_timeout = '30s'"))
        await _empty_the_tenants(conn)
        # The erasure key's check value holds no key to a tenant: the first start after the
        # wipe notes its own, as on a new database (a test may use a key of its own).
        await conn.execute(text("DELETE FROM erasure_key_check"))
    return db


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    database = await _sqlite_db(tmp_path) if request.param == "sqlite" else await _postgres_db()
    yield database
    await database.dispose()


# ------------------------------------------------------------------ migrated templates
#
# A migration test starts from an older revision, puts rows in, then upgrades and downgrades:
# walking every revision up to its starting point again (tens of them, each a transaction of
# DDL) was most of its time. ``at_revision`` gives an untouched ``empty_db`` that revision from a
# copy of a database migrated to it once, kept for later runs of the same migrations: a file on
# SQLite, a PostgreSQL template database (``CREATE DATABASE … TEMPLATE``). Each
# template is built by the real ``upgrade`` from the nearest one below it already built (or from
# nothing), and only for the revisions tests start from. What a test does after its starting
# point (the upgrade, downgrade and upgrade it tests) still runs for real; tests of the walk
# itself (from an empty database, ``alembic check`` after it) don't use templates. The ``db``
# fixture starts from the head template too: a run walked every revision once per engine.

_untouched: dict[int, tuple[str, str]] = {}  # id(empty_db) -> (engine, its file or database)
_templates_lock: list[psycopg.Connection] = []  # holds this run's share of its templates
_TEMPLATE_PREFIX = "_tpl_"


@functools.cache
def _revisions() -> tuple[str, ...]:
    """Every revision, oldest first (the history is a single line). Read once: Alembic runs
    every script again to list them."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return tuple(r.revision for r in reversed(list(script.walk_revisions())))


def _below(revision: str) -> list[str]:
    order = _revisions()
    return order[: order.index(revision)]


def _migrations_digest() -> str:
    """What a template depends on: the migration scripts, the code they import (storage's
    full-text setup, knowledge's text folding) and the libraries that run them. A change to any
    of it names new templates, so a stale one is never used."""
    if "digest" not in _run_database:
        digest = hashlib.sha256()
        core = Path(__file__).parent.parent / "narrate_bot"
        roots = [Path(str(files("narrate_bot_migrations"))), core / "storage", core / "knowledge"]
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.suffix in (".py", ".mako") and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(root)).encode() + b"\0")
                    digest.update(path.read_bytes() + b"\0")
        for library in ("alembic", "sqlalchemy", "sqlmodel", "psycopg"):
            digest.update(f"{library}=={metadata.version(library)}\0".encode())
        _run_database["digest"] = digest.hexdigest()[:12]
    return _run_database["digest"]


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _template_name(digest: str, revision: str) -> str:
    assert POSTGRES_URL is not None
    return f"{make_url(POSTGRES_URL).database}{_TEMPLATE_PREFIX}{digest}_{revision[:4]}"


def _maintenance() -> psycopg.Connection:
    """This run's connection to the named database, holding a shared advisory lock on its
    templates' digest for the whole run: a run of other migrations prunes only templates no
    running run holds (``_prune_templates``)."""
    assert POSTGRES_URL is not None
    if not _templates_lock:
        conn = psycopg.connect(_libpq(make_url(POSTGRES_URL)), autocommit=True)
        conn.execute("SELECT pg_advisory_lock_shared(%s)", (_lock_key(_migrations_digest()),))
        _templates_lock.append(conn)
        _prune_templates(conn)
    return _templates_lock[0]


def _prune_templates(conn: psycopg.Connection) -> None:
    """Drop templates of other migrations (an older checkout's) built over a day ago that no
    running run holds: two checkouts on one server keep each other's for the day."""
    assert POSTGRES_URL is not None
    prefix = f"{make_url(POSTGRES_URL).database}{_TEMPLATE_PREFIX}"
    names = [
        str(name)
        for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)"
            " AND coalesce(shobj_description(oid, 'pg_database'), '0')::float8"
            " < extract(epoch FROM now()) - 86400",
            (prefix,),
        )
    ]
    ours = _migrations_digest()
    for digest in sorted({name[len(prefix) :].split("_")[0] for name in names} - {ours}):
        key = _lock_key(digest)
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
            continue  # a run of those migrations is under way: its templates stay
        try:
            for name in names:
                if name.startswith(f"{prefix}{digest}_"):
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


async def _postgres_template(revision: str) -> str:
    """The template database migrated to ``revision``, built once for these migrations.

    Built under an advisory lock on its name (two runs at once: the second waits, then finds
    it), into a scratch name renamed only when complete, so a run killed half-way leaves
    nothing another run would take for a template. Nobody connects to a template once built:
    ``CREATE DATABASE … TEMPLATE`` refuses a source in use."""
    assert POSTGRES_URL is not None
    conn = _maintenance()
    digest = _migrations_digest()
    name = _template_name(digest, revision)
    exists = "SELECT 1 FROM pg_database WHERE datname = %s"
    if conn.execute(exists, (name,)).fetchone():
        return name
    conn.execute("SELECT pg_advisory_lock(%s)", (_lock_key(name),))
    try:
        if conn.execute(exists, (name,)).fetchone():
            return name
        built = {
            str(row[0])
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                (_template_name(digest, ""),),
            )
        }
        below = [r for r in _below(revision) if _template_name(digest, r) in built]
        base = _template_name(digest, below[-1]) if below else None
        scratch = f"{name}_b"
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch))
        if base is not None:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(base))
        conn.execute(create)
        conn.execute(_NO_FLUSH_WAIT.format(sql.Identifier(scratch)))
        db = Database(make_url(POSTGRES_URL).set(database=scratch).render_as_string(False))
        try:
            await upgrade(db, revision)
        finally:
            await db.dispose()
        rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
        conn.execute(rename.format(sql.Identifier(scratch), sql.Identifier(name)))
        built_at = sql.SQL("COMMENT ON DATABASE {} IS {}")  # when, for _prune_templates
        conn.execute(built_at.format(sql.Identifier(name), sql.Literal(str(time.time()))))
        return name
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(name),))


def _sqlite_folder() -> Path:
    """This user's SQLite templates of these migrations, kept for later runs like PostgreSQL's;
    other migrations' folders untouched for a day are removed."""
    root = Path(tempfile.gettempdir()) / f"narrate-bot-templates-{os.getuid()}"
    folder = root / _migrations_digest()
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)  # in use: not another run's to remove
    for other in root.iterdir():
        if other != folder and time.time() - other.stat().st_mtime > 86_400:
            shutil.rmtree(other, ignore_errors=True)
    return folder


async def _sqlite_template(revision: str) -> Path:
    """A file migrated to ``revision``, built from the nearest one below it already built (or
    from nothing) under a file lock, and moved into place only when complete."""
    folder = _sqlite_folder()
    target = folder / f"{revision[:4]}.db"
    if target.exists():
        return target
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run building the same: wait, then take it
        if target.exists():
            return target
        below = [r for r in _below(revision) if (folder / f"{r[:4]}.db").exists()]
        scratch = folder / f"{revision[:4]}.{os.getpid()}.building"
        scratch.unlink(missing_ok=True)
        if below:
            shutil.copyfile(folder / f"{below[-1][:4]}.db", scratch)
        db = Database(f"sqlite:///{scratch}")
        try:
            await upgrade(db, revision)
        finally:
            await db.dispose()
        os.replace(scratch, target)
    return target


async def at_revision(db: Database, revision: str) -> None:
    """Bring an untouched ``empty_db`` to ``revision`` (``"head"`` too) as ``upgrade`` would,
    from a copy of a database migrated to it once. ``"base"``: empty, but there for another
    process to connect to (PostgreSQL's is otherwise created at this engine's first
    connection)."""
    engine, where = _untouched.pop(id(db))  # a database already used has rows to lose
    if revision == "head":
        revision = _revisions()[-1]
    await db.dispose()
    if engine == "sqlite":
        if revision == "base":
            return  # the file is created by its first connection
        template = await _sqlite_template(revision)
        for suffix in ("-wal", "-shm"):
            Path(where + suffix).unlink(missing_ok=True)
        shutil.copyfile(template, where)
        return
    _create_database(where, None if revision == "base" else await _postgres_template(revision))


@pytest.fixture(params=ENGINES)
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database no migration has touched, for tests that walk the revisions themselves (the
    shared PostgreSQL database of ``db`` must stay at head for every other test). A test that
    starts from a revision takes it with ``at_revision``, not by walking there again."""
    if request.param == "sqlite":
        path = tmp_path / "empty.db"
        database = Database(f"sqlite:///{path}")
        _untouched[id(database)] = ("sqlite", str(path))
        yield database
        _untouched.pop(id(database), None)
        await database.dispose()
        return
    assert POSTGRES_URL is not None
    named = make_url(POSTGRES_URL)
    if not _may_create_databases():
        pytest.skip("this PostgreSQL role may not create a database to migrate step by step")
    own = f"{named.database}_empty{os.getpid()}"
    database = Database(named.set(database=own).render_as_string(hide_password=False))
    _untouched[id(database)] = ("postgres", own)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own))
    _maintenance().execute(drop)

    # Created when first needed, once: from a template by ``at_revision``, else empty at the
    # first connection. Creating it here too cost a second CREATE DATABASE (1 to 2 s on a
    # loaded machine, more than walking to most revisions) for every test that starts later.
    @event.listens_for(database.engine.sync_engine, "do_connect")
    def _create_when_first_used(*_: object) -> None:
        if _untouched.pop(id(database), None) is not None:
            _create_database(own)

    yield database
    _untouched.pop(id(database), None)
    await database.dispose()
    _maintenance().execute(drop)


def _may_create_databases() -> bool:
    if "may_create" not in _run_database:
        assert POSTGRES_URL is not None
        with psycopg.connect(_libpq(make_url(POSTGRES_URL)), autocommit=True) as conn:
            row = conn.execute(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
        _run_database["may_create"] = "yes" if row and row[0] else ""
    return bool(_run_database["may_create"])


def _create_database(own: str, template: str | None = None) -> None:
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own))
    if template is not None:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    conn = _maintenance()
    conn.execute(create)
    # A commit returns without waiting for its WAL to reach the disk: what other sessions see
    # is the same, only a server crash could lose the last commits of a test database. On a
    # loaded CI machine each wait took tens of milliseconds. (A template doesn't pass it on.)
    conn.execute(_NO_FLUSH_WAIT.format(sql.Identifier(own)))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def bot(db: Database, clock: ManualClock) -> Bot:
    return Bot(db=db, clock=clock, settings=Settings())


@pytest.fixture
def chat(bot: Bot, clock: ManualClock, tmp_path: Path) -> Chat:
    return Chat.create(bot, clock, export_dir=tmp_path / "exports")
