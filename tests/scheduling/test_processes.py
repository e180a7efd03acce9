"""Several real OS processes on one database, and a process killed with SIGKILL mid-tick.

Every prompt goes out exactly once with replicas; after kill -9 and a restart nothing is lost,
and a prompt is posted twice only if the kill landed between the platform accepting it and the
outcome being committed (at most one duplicate per kill).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from tests.scheduling.support import add_channel_prompts
from tests.scheduling.worker import replica

ROOT = Path(__file__).resolve().parents[2]
SCHEDULES = 500
DAYS = 2
KILL_SCHEDULES = 500


def _lines(sink: Path) -> list[str]:
    return sink.read_text().splitlines() if sink.exists() else []


async def _sent_rows(db) -> list[tuple[int, str]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT schedule_id, slot FROM schedule_send WHERE status = 'sent'")
        )
        return [(r[0], r[1]) for r in rows]


async def test_replicas_on_one_database_send_every_prompt_exactly_once(db, tmp_path):
    replicas = 3 if db.dialect == "postgresql" else 2
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    await add_channel_prompts(db, count=SCHEDULES, days="daily", at="09:00", zone="UTC", now=start)
    sink = tmp_path / "posts.log"
    times = [start + timedelta(days=d, hours=1, seconds=3) for d in range(DAYS)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(replicas)
    workers = [
        context.Process(target=replica, args=(db.url, str(sink), f"r{i}", times, barrier))
        for i in range(replicas)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    lines = _lines(sink)
    per_channel = Counter(line.split()[0] for line in lines)
    assert len(lines) == SCHEDULES * DAYS
    assert set(per_channel.values()) == {DAYS} and len(per_channel) == SCHEDULES
    # (Which replica sent what is up to the race: SKIP LOCKED lets one take a whole batch.)
    sent = await _sent_rows(db)
    assert len(sent) == len(set(sent)) == SCHEDULES * DAYS


def _start(db, sink: Path, label: str, now: datetime) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.scheduling.worker",
            db.url,
            str(sink),
            label,
            now.isoformat(),
        ],
        cwd=ROOT,
        env=env,
    )


async def test_kill_9_mid_tick_then_restart_loses_nothing(db, tmp_path):
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    await add_channel_prompts(
        db, count=KILL_SCHEDULES, days="daily", at="09:00", zone="UTC", now=start
    )
    sink = tmp_path / "posts.log"
    kills = 0
    now = start + timedelta(hours=1)
    for target in (60, 200, 340):
        process = _start(db, sink, f"run{kills}", now)
        deadline = time.monotonic() + 120
        while len(_lines(sink)) < target and process.poll() is None:
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.01)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        # A restart a little later: the dead process's leases (120 s) have run out.
        now += timedelta(minutes=3)
    final = _start(db, sink, "final", now)
    assert final.wait(timeout=240) == 0
    lines = _lines(sink)
    per_channel = Counter(line.split()[0] for line in lines)
    assert len(per_channel) == KILL_SCHEDULES  # nothing lost
    duplicates = len(lines) - KILL_SCHEDULES
    logging.getLogger(__name__).info("kill -9: %d kills, %d duplicate posts", kills, duplicates)
    assert 0 <= duplicates <= kills  # only kills inside the accept→commit window repeat a post
    assert kills >= 1
    sent = await _sent_rows(db)
    assert len(sent) == len(set(sent)) == KILL_SCHEDULES
    if db.dialect == "sqlite":
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA integrity_check"))).scalar() == "ok"
