"""Two replicas starting at once both migrate the same database (docker/entrypoint.sh runs
``narrate-bot migrate`` on every start): the second waits for the first and then finds the
schema up to date, instead of exiting 2 with "column … already exists" (or "relation … already
exists") and leaving its container restarting.

Each replica is the real ``narrate-bot migrate`` in its own process, started together. SQLite's
upgrade already waited (its transaction begins IMMEDIATE); PostgreSQL's takes an advisory lock
before Alembic reads the recorded revision."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check
from tests.conftest import at_revision

REPLICAS = 3


def _replicas_migrate(db: Database, cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """``narrate-bot migrate`` in REPLICAS processes at once; each one's exit and output."""
    # The test erasure key (``conftest``) stays: on PostgreSQL ``migrate`` refuses to start
    # without one, as every replica of a deployment would.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NARRATE_", "SLACK_")) or k == "NARRATE_ERASURE_KEY"
    }
    command = [sys.executable, "-m", "narrate_bot_adapters.cli", "migrate", "--db", db.url]
    started = [
        subprocess.Popen(
            command, cwd=cwd, env=clean, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(REPLICAS)
    ]
    done = []
    for process in started:
        out, _ = process.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(command, process.returncode, out, ""))
    return done


def _all_up_to_date(runs: list[subprocess.CompletedProcess[str]]) -> None:
    for run in runs:
        assert run.returncode == 0, run.stdout
        assert run.stdout.strip().endswith("The database is up to date."), run.stdout


async def test_replicas_migrating_a_fresh_database_at_once_all_succeed(empty_db, tmp_path):
    await at_revision(empty_db, "base")  # empty, and there for the replicas' own connections
    _all_up_to_date(_replicas_migrate(empty_db, tmp_path))
    await check(empty_db)
    async with empty_db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar() == 1


async def test_replicas_upgrading_an_old_database_at_once_all_succeed(empty_db, tmp_path):
    await at_revision(empty_db, "0015_slack_group_dm_names")
    async with empty_db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO tenant (platform, external_id, name, created_at)"
                " VALUES ('slack', 'T1', 'acme', CURRENT_TIMESTAMP)"
            )
        )
    _all_up_to_date(_replicas_migrate(empty_db, tmp_path))
    await check(empty_db)
    async with empty_db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT name FROM tenant"))).scalars().all() == ["acme"]
