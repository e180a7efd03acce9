"""An SQLite older than 3.35 is refused at startup, saying which one was found and what to do.

Storage writes with ``INSERT … ON CONFLICT … RETURNING`` (3.35). On an older SQLite (a Python
built against an old system library) the bot connected and migrated, then failed people's
commands with a syntax error; now ``narrate-bot`` stops first, in one line, and creates no file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate_bot.storage.database import Database, SQLiteTooOld
from narrate_bot_adapters.cli import app


@pytest.fixture
def old_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")


def test_migrate_on_an_old_sqlite_says_what_was_found_and_what_to_do(
    old_sqlite: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in [n for n in os.environ if n.startswith("NARRATE_")]:
        monkeypatch.delenv(name)
    file = tmp_path / "narrate.db"
    result = CliRunner().invoke(app, ["migrate", "--db", str(file)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    message = lines[0]
    assert "needs SQLite 3.35 or later" in message
    assert "uses SQLite 3.31.1" in message
    assert "a Python built with a newer SQLite" in message
    assert "the Docker image" in message and "PostgreSQL" in message
    assert not file.exists()  # refused before anything was opened


def test_a_database_on_an_old_sqlite_is_refused_and_postgresql_is_not(old_sqlite: None) -> None:
    with pytest.raises(SQLiteTooOld, match=r"SQLite 3\.31\.1"):
        Database("sqlite:///:memory:")
    # PostgreSQL doesn't use this Python's SQLite: nothing to refuse (no connection is made).
    assert Database("postgresql://narrate@127.0.0.1:1/narrate").dialect == "postgresql"


def test_the_sqlite_these_tests_run_on_is_accepted() -> None:
    assert Database("sqlite:///:memory:").dialect == "sqlite"
