"""SQLite's erasure key file (``storage/erasure_key.py``) is made only when the bot uses the
database: not beside another application's file that ``migrate`` refuses, and also on a
filesystem without hard links (the new file is then created in place, first one wins)."""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.erasure_key import ErasureKeyError, key_file_for, resolve
from narrate_bot_adapters.cli import app
from tests.conftest import START
from tests.scenarios.forgotten_reader import described, forgotten_u2, members


def test_another_applications_file_gets_no_key_file_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    other = tmp_path / "other-app.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id int)")
    connection.close()
    result = CliRunner().invoke(app, ["migrate", "--db", str(other)])
    assert result.exit_code == 2, result.output
    assert "invoices" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-app.db"]
    ours = tmp_path / "narrate.db"  # and one of ours still gets its key at the first start
    assert CliRunner().invoke(app, ["migrate", "--db", str(ours)]).exit_code == 0
    assert key_file_for(str(ours)).exists()


def test_a_filesystem_without_hard_links_still_gets_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    monkeypatch.setattr(os, "link", refused)
    database = str(tmp_path / "n.db")
    first = resolve(dialect="sqlite", database=database, given=None)
    second = resolve(dialect="sqlite", database=database, given=None)
    first.make_file()  # as two processes' startup checks make it
    second.make_file()
    assert first.check_value == second.check_value  # the key written once, then read
    key_file = key_file_for(database)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.db.erasure-key"]


def test_a_lost_key_file_is_refused_without_making_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database has a check value, so a missing key file is refused and none is made: the
    backup can be put back as it was. The message says what to do if it is lost for good."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    ours = tmp_path / "narrate.db"
    assert CliRunner().invoke(app, ["migrate", "--db", str(ours)]).exit_code == 0
    key_file_for(str(ours)).rename(tmp_path / "backup-key")
    result = CliRunner().invoke(app, ["migrate", "--db", str(ours)])
    assert result.exit_code == 2, result.output
    assert "DELETE FROM erasure_key_check;" in " ".join(result.output.split())
    assert not key_file_for(str(ours)).exists()


def test_a_database_nobody_checked_gets_no_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the startup check makes the key file, recording its check value with it: a process
    that opens the database without it (a script, a tool built on ``Database``) and needs the
    key is refused, and leaves no new key beside it. Here the key file was lost: a new one made
    by that process would stand where the backup is to be put back. Once restored, the bot
    starts and the person forgotten before is still recognised."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    ours = tmp_path / "narrate.db"
    url = f"sqlite:///{ours}"
    assert CliRunner().invoke(app, ["migrate", "--db", str(ours)]).exit_code == 0
    key_file = key_file_for(str(ours))
    asyncio.run(_forget_u2(url))  # the bot started on it: the key file there
    key_file.rename(tmp_path / "backup-key")

    asyncio.run(_refused_unchecked(url))
    assert not key_file.exists(), "no key made up beside a database nobody checked"

    (tmp_path / "backup-key").rename(key_file)
    assert CliRunner().invoke(app, ["migrate", "--db", str(ours)]).exit_code == 0
    assert asyncio.run(_still_forgotten(url))


async def _forget_u2(url: str) -> None:
    db = Database(url)
    try:
        await forgotten_u2(Bot(db=db, clock=ManualClock(START), settings=Settings()), db)
    finally:
        await db.dispose()


async def _refused_unchecked(url: str) -> None:
    """What a process that never ran the startup check may do with the key: nothing."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            with pytest.raises(ErasureKeyError, match="narrate-bot migrate"):
                await repo.is_forgotten(session, tenant_id=1, user_id="U2")
        async with db.transaction() as session:
            with pytest.raises(ErasureKeyError, match="narrate-bot migrate"):
                await repo.mark_forgotten(session, tenant_id=1, user_id="U3", now=START)
    finally:
        await db.dispose()


async def _still_forgotten(url: str) -> bool:
    db = Database(url)
    try:
        await Bot(db=db, clock=ManualClock(START), settings=Settings()).handle(
            described("U1", "U2")
        )
        return await members(db, "U2") == []
    finally:
        await db.dispose()
