"""Running Alembic from inside the bot (``narrate-bot migrate``, the console, the tests).

The migration scripts ship as the ``narrate_bot_migrations`` package (the repository's
``migrations/`` folder), so an installed wheel can upgrade a database without the source tree.
"""

from __future__ import annotations

import sqlite3
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError

from . import old_writes
from .database import Database

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

    async with db.engine.begin() as connection:
        await connection.run_sync(_run)


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
