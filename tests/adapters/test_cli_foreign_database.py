"""``migrate`` and ``run`` pointed at another application's database refuse it and change
nothing, where they used to say "The database is up to date" with 29 of narrate-bot's tables
mixed into it. An empty database, one of ours at any revision, and one where a migration of ours
failed half-way still migrate."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy.engine import make_url

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import alembic_config, upgrade
from tests.adapters.entry_point import closed_port, narrate_bot, the_message
from tests.conftest import ENGINES, POSTGRES_URL


@dataclass
class Blank:
    """A database no one has used yet, and plain SQL on it that bypasses narrate-bot."""

    url: str
    engine: str

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        if self.engine == "sqlite":
            path = make_url(self.url).database
            assert path is not None
            with sqlite3.connect(path) as connection:
                rows = connection.execute(statement).fetchall()
            connection.close()
            return rows
        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def objects(self) -> set[tuple[Any, ...]]:
        if self.engine == "sqlite":
            return set(self.sql("SELECT type, name, sql FROM sqlite_master"))
        return set(
            self.sql(
                "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            )
        )


@pytest.fixture(params=ENGINES)
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Blank]:
    if request.param == "sqlite":
        yield Blank(f"sqlite:///{tmp_path / 'their.db'}", "sqlite")
        return
    assert POSTGRES_URL is not None
    named = make_url(POSTGRES_URL)
    own = f"{named.database}_foreign{os.getpid()}"
    server = named.set(drivername="postgresql").render_as_string(hide_password=False)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own))
    try:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(drop)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
    except psycopg.errors.InsufficientPrivilege:
        pytest.skip("this PostgreSQL role may not create a database")
    url = make_url(server).set(database=own).render_as_string(hide_password=False)
    yield Blank(url, "postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(drop)


def _head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def _start(command: str, blank: Blank, tmp_path: Path) -> Any:
    # With Discord pointed at a closed port, the old code's run failed fast after migrating.
    return narrate_bot(
        command,
        cwd=tmp_path,
        NARRATE_DATABASE_URL=blank.url,
        NARRATE_DISCORD__TOKEN="not-a-real-token",
        NARRATE_DISCORD__API_BASE_URL=f"http://127.0.0.1:{closed_port()}/api/v10",
    )


@pytest.mark.parametrize("command", ["migrate", "run"])
@pytest.mark.parametrize(
    ("theirs", "named"),
    [
        (
            [
                "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)",
                "INSERT INTO people (id, name) VALUES (1, 'Ada')",
            ],
            "people",
        ),
        (["CREATE VIEW answer AS SELECT 42 AS value"], "answer"),
    ],
)
def test_another_applications_database_is_refused_and_left_as_it_was(
    blank, tmp_path, command, theirs, named
):
    for statement in theirs:
        blank.sql(statement)
    before = blank.objects()

    result = _start(command, blank, tmp_path)

    line = the_message(result)
    assert result.returncode == 2
    assert line.startswith("The database "), line
    assert line.endswith(
        f"already has tables ({named}) but no record of narrate-bot's migrations, so "
        "narrate-bot changed nothing in it. If the database belongs to another application, "
        "give narrate-bot its own in NARRATE_DATABASE_URL (a new SQLite file, or an empty "
        "PostgreSQL database)."
    ), line
    assert "up to date" not in result.stdout
    assert blank.objects() == before
    if named == "people":
        assert blank.sql("SELECT id, name FROM people") == [(1, "Ada")]
    if blank.engine == "sqlite":  # our connections would have switched it to WAL for good
        assert blank.sql("PRAGMA journal_mode") == [("delete",)]


def test_migrate_says_which_tables_and_hides_the_rest(blank, tmp_path):
    for name in ("invoices", "customers", "orders", "payments"):
        blank.sql(f"CREATE TABLE {name} (id INTEGER)")
    result = narrate_bot("migrate", "--db", blank.url, cwd=tmp_path)
    line = the_message(result)
    assert "already has tables (customers, invoices, orders, …) but no record" in line, line
    assert line.endswith(
        "give narrate-bot its own in --db (a new SQLite file, or an empty PostgreSQL database)."
    ), line


def test_an_empty_database_migrates(blank, tmp_path):
    if blank.engine == "sqlite":
        Path(make_url(blank.url).database or "").touch()  # an empty file, as `touch` leaves it
    result = narrate_bot("migrate", "--db", blank.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "The database is up to date."
    assert blank.sql("SELECT version_num FROM alembic_version") == [(_head(blank.url),)]


def test_a_fresh_database_with_an_extension_migrates(blank, tmp_path):
    """A platform that runs CREATE EXTENSION in every new database (here pg_stat_statements,
    whose views land in public) hands over an empty database all the same."""
    if blank.engine == "sqlite":
        pytest.skip("extensions are PostgreSQL's")
    available = "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'"
    if not blank.sql(available):
        pytest.skip("pg_stat_statements isn't installed on this server")
    blank.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    result = narrate_bot("migrate", "--db", blank.url, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "The database is up to date."
    assert blank.sql("SELECT version_num FROM alembic_version") == [(_head(blank.url),)]


async def test_one_of_ours_at_an_older_revision_migrates(blank, tmp_path):
    db = Database(blank.url)
    await upgrade(db, "0005_expertise_prefs")
    await db.dispose()
    result = await asyncio.to_thread(narrate_bot, "migrate", "--db", blank.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert blank.sql("SELECT version_num FROM alembic_version") == [(_head(blank.url),)]


async def test_a_migration_that_failed_half_way_left_nothing_and_migrates_later(
    blank, tmp_path, monkeypatch
):
    """The whole upgrade is one transaction, DDL and SQLite's full-text tables included, so a
    failure in a later revision takes the earlier ones back too: no half-built database of
    ours looks like someone else's."""
    create_table = Operations.create_table
    calls = []

    def failing_in_a_later_revision(self: Operations, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        if len(calls) == 12:  # 0001 creates six tables: this one is in 0003
            raise RuntimeError("the disk filled up")
        return create_table(self, *args, **kwargs)

    monkeypatch.setattr(Operations, "create_table", failing_in_a_later_revision)
    db = Database(blank.url)
    with pytest.raises(RuntimeError, match="the disk filled up"):
        await upgrade(db)
    await db.dispose()
    monkeypatch.undo()
    assert blank.objects() == set()

    result = await asyncio.to_thread(narrate_bot, "migrate", "--db", blank.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert blank.sql("SELECT version_num FROM alembic_version") == [(_head(blank.url),)]
