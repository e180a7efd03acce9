"""SQLite's erasure key file (``storage/erasure_key.py``) is made only when the bot uses the
database: not beside another application's file that ``migrate`` refuses, and also on a
filesystem without hard links (the new file is then created in place, first one wins)."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate_bot.storage.erasure_key import key_file_for, resolve
from narrate_bot_adapters.cli import app


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
