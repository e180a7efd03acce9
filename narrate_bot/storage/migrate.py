"""Running Alembic from inside the bot (``narrate-bot migrate``, the console, the tests).

The migration scripts ship as the ``narrate_bot_migrations`` package (the repository's
``migrations/`` folder), so an installed wheel can upgrade a database without the source tree.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError

from . import old_writes
from .database import Database

log = logging.getLogger(__name__)

VERSION_TABLE = "alembic_version"

# The key of the PostgreSQL advisory lock every upgrade holds ("narrate-" as a big-endian int):
# two replicas starting at once (docker/entrypoint.sh migrates on every start) take turns, and
# the second finds the schema up to date instead of adding the same column again and failing.
MIGRATION_LOCK = 7953764252499862829


class ForeignDatabase(RuntimeError):
    """The database holds tables but no record of narrate-bot's migrations: another
    application's, most likely. Migrating would mix narrate-bot's tables into it."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"tables without narrate-bot's migrations: {', '.join(names)}")
        self.names = names


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("narrate_bot_migrations")))
    config.attributes["url"] = url
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on this database's own engine, inside the running loop."""
    config = alembic_config(db.url)

    def _run(connection: Connection) -> None:
        _take_turns(connection)
        strangers = _unrecorded_objects(connection)
        if strangers:
            raise ForeignDatabase(strangers)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if revision == "head":
            # An older version may have written to this schema since it was migrated.
            old_writes.repair(connection)

    await _migrate(db, _run, revision)
    if revision == "head":
        # Its narrations after the commit, in batches: not under the migration's locks.
        try:
            async with db.engine.connect() as connection:
                await connection.run_sync(old_writes.walk)
        except Exception as problem:  # not CancelledError / KeyboardInterrupt: BaseException
            # The migration committed: a walk that fails (a deadlock, a timeout, a bug on one
            # stored text) must not fail the start, nor crash-loop the replica holding its
            # lock. The rows it didn't mark keep their lower number for the next start. The
            # error's text may carry a narration's (the statement's parameters): DEBUG only.
            log.warning(
                "indexing anew the narrations an older version wrote stopped (%s); the next "
                "start goes on from there",
                type(problem).__name__,
            )
            log.debug("the narration walk's error", exc_info=True)


async def downgrade(db: Database, revision: str) -> None:
    """Take the schema back to ``revision``, as ``upgrade`` takes it forward: one transaction,
    SQLite's foreign keys off around it and checked before it commits."""
    config = alembic_config(db.url)

    def _run(connection: Connection) -> None:
        _take_turns(connection)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    await _migrate(db, _run, revision)


class DanglingReferences(RuntimeError):
    """A migration left rows pointing at rows that don't exist; it was rolled back."""

    def __init__(self, revision: str, counts: dict[tuple[str, str], int]) -> None:
        where = "; ".join(
            f"{count} row{'s' if count != 1 else ''} of {table} point at missing {parent} rows"
            for (table, parent), count in sorted(counts.items())
        )
        super().__init__(
            f"migrating to {revision} would leave broken references ({where}), so nothing was "
            "changed"
        )
        self.tables = sorted({table for table, _ in counts})


async def _migrate(db: Database, work: Callable[[Connection], None], revision: str) -> None:
    """Run ``work`` in one transaction that commits only if every reference still holds.

    On SQLite with ``PRAGMA foreign_keys=ON`` (every connection of ours), a batch rebuild's
    ``DROP TABLE`` of ``tenant``, ``person`` or ``narration`` would first delete every row
    referencing it through ``ON DELETE CASCADE``: the copy keeps the table's own rows, its
    children are gone for good. The pragma can't change inside a transaction, so it goes off
    before ``BEGIN`` and back on after the end, and ``PRAGMA foreign_key_check`` stands in for
    it before the commit (SQLite's documented procedure for altering a table). PostgreSQL
    alters tables in place and checks references as it goes: a plain transaction.
    """

    def _run(connection: Connection) -> None:
        with _foreign_keys_off(connection), connection.begin():
            work(connection)
            _check_references(connection, revision)

    async with db.engine.connect() as connection:
        await connection.run_sync(_run)


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off for the block, on the connection not yet in a transaction.

    The pragma goes through the driver's cursor: a statement through SQLAlchemy would begin the
    transaction first (``BEGIN IMMEDIATE``, database.py), inside which SQLite ignores it. A
    connection whose foreign keys can't be switched back on is discarded rather than returned
    to the pool without them."""
    if connection.dialect.name != "sqlite":
        yield
        return
    if not _set_foreign_keys(connection, on=False):
        raise RuntimeError("SQLite kept foreign keys on: the migration can't run safely")
    try:
        yield
    finally:
        try:
            restored = _set_foreign_keys(connection, on=True)
        except Exception:
            restored = False
        if not restored:
            connection.invalidate()


def _set_foreign_keys(connection: Connection, *, on: bool) -> bool:
    """Set ``PRAGMA foreign_keys`` and say whether it took (it doesn't inside a transaction)."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        cursor.execute("PRAGMA foreign_keys")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row is not None and bool(row[0]) == on


def _check_references(connection: Connection, revision: str) -> None:
    """Raise ``DanglingReferences`` (rolling the migration back) if a row of any table points
    at a row that isn't there: what the foreign keys, off for the migration, would have refused.
    """
    if connection.dialect.name != "sqlite":
        return
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if rows:
        raise DanglingReferences(revision, dict(Counter((str(r[0]), str(r[2])) for r in rows)))


def _take_turns(connection: Connection) -> None:
    """Wait until no other upgrade of this database is under way, before reading anything.

    On PostgreSQL a transaction-level advisory lock, released when this upgrade commits or rolls
    back; every read after it (READ COMMITTED, the default) sees what the upgrade before it
    committed. On SQLite the transaction's ``BEGIN IMMEDIATE`` already makes a second upgrade
    wait.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def refuse_foreign_file(db: Database) -> None:
    """On SQLite, ask ``upgrade``'s question read-only before our first connection: that one
    switches the file to WAL for good, which another application's file must not get."""
    if db.dialect != "sqlite":
        return
    path = make_url(db.url).database
    if not path or path == ":memory:" or not Path(path).is_file():
        return
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with engine.connect() as connection:
            strangers = _unrecorded_objects(connection)
    except DBAPIError:
        return  # not a database, or not readable: connecting for real says why
    finally:
        engine.dispose()
    if strangers:
        raise ForeignDatabase(strangers)


def _unrecorded_objects(connection: Connection) -> list[str]:
    """The tables, views and sequences of the schema we'd migrate, when no revision of ours is
    recorded; empty for an empty database and for one any migration of ours has stamped.

    The whole upgrade runs in one transaction (DDL included, on both engines), so a migration
    that failed leaves the database as it found it: a half-migrated database without a
    recorded revision can't come from us. A revision another Alembic application recorded is
    refused by Alembic itself (it doesn't know the revision).
    """
    inspector = inspect(connection)
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())
    if connection.dialect.name == "postgresql":
        names |= set(inspector.get_materialized_view_names())
        names |= set(inspector.get_sequence_names())
        names -= _extension_objects(connection)
    if VERSION_TABLE in names:
        if connection.execute(text(f"SELECT 1 FROM {VERSION_TABLE} LIMIT 1")).first():
            return []
        names.discard(VERSION_TABLE)  # downgraded to base: nothing of ours is left
    return sorted(names)


# Relations an extension created (pg_stat_statements' views, PostGIS's spatial_ref_sys): they
# come with ``CREATE EXTENSION``, which a platform often runs in every new database.
_EXTENSION_RELATIONS = text(
    "SELECT c.relname FROM pg_depend d"
    " JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE d.deptype = 'e' AND n.nspname = current_schema()"
)


def _extension_objects(connection: Connection) -> set[str]:
    """What an extension put in the schema is not another application's: a fresh database
    with ``pg_stat_statements`` installed is still empty for us."""
    return {str(name) for (name,) in connection.execute(_EXTENSION_RELATIONS)}


async def check(db: Database) -> None:
    """Raise if the tables in code differ from what the migrations built (``alembic check``)."""
    config = alembic_config(db.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.check(config)

    async with db.engine.connect() as connection:
        await connection.run_sync(_run)
