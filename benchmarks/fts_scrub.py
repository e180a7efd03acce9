"""Deleting a narration on a large SQLite index: how long everyone else waits for the write lock.

    .venv/bin/python -m benchmarks.fts_scrub                      30,000 narrations (CI)
    .venv/bin/python -m benchmarks.fts_scrub --narrations 300000  a large workspace

A delete (an edit, a forget-me) must leave no token of the old text in the full-text index's
blocks before it replies. The old way did it with one FTS5 ``optimize`` inside the deleting
transaction: the whole index rewritten while holding the write lock. The new way
(``storage.index_scrub``, run by ``privacy.clear_traces``) does the same merge in short
transactions after the delete commits. Both are measured in the same run, on the same index:

- the longest time another writer waits to store a narration while the delete runs: one in this
  process (a ``Database.transaction()``, as another person's command would), and one on its own
  connection (another process: the CLI, a backup job), each writing every few milliseconds;
- the delete's total time until it could reply (delete, index scrub, write-ahead log emptied),
  with nobody else writing.

Before each measured delete the index is put in the same state: one big segment (what the last
scrub left) and the segments of ``--fresh`` narrations stored one by one since. Narrations are
the golang-tools dev set scaled up (``who_knows_latency.seed``).

Targets, from the same run: the new way, each writer's longest wait is at most the longest merge
step plus 100 ms (the step under way, then its busy handler's next poll: SQLite polls at most
100 ms apart), which at 300,000 narrations is several times shorter than the old way's; and the
delete takes at most twice as long as the old way's (the same merge, plus a short pause after
each step). ``--check`` exits 1 if one is missed. The machine is shared: run ``--repeat 3`` for
numbers to quote (waits are the worst of the repeats, delete times their median).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, text
from sqlmodel import select

from benchmarks.engines import use_benchmark_erasure_key
from benchmarks.who_knows_latency import DEFAULT_DATA, load, seed
from narrate_bot.storage import index_scrub, privacy
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import BUSY_TIMEOUT_MS, Database
from narrate_bot.storage.fulltext import FTS_TABLE
from narrate_bot.storage.tables import Narration

NOW = datetime(2026, 11, 23, tzinfo=UTC)
WRITE_EVERY_S = 0.005


class Writer:
    """Another person's narrations, stored one per transaction every few milliseconds; records
    how long each took from asking for the lock to its commit."""

    def __init__(self, row: dict[str, Any], first_ordinal: int) -> None:
        self.row = row
        self.ordinal = first_ordinal
        self.waits: list[float] = []
        self.started: list[float] = []

    def next_row(self) -> dict[str, Any]:
        self.ordinal += 1
        return {**self.row, "ordinal": self.ordinal, "text": f"bench writer note {self.ordinal}"}


async def _in_process(db: Database, writer: Writer, stop: asyncio.Event) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        async with db.transaction() as session:
            await session.exec(insert(Narration).values(writer.next_row()))
        writer.waits.append(time.perf_counter() - began)
        writer.started.append(began)
        await asyncio.sleep(WRITE_EVERY_S)


def _own_connection(path: str, writer: Writer, stop: threading.Event) -> None:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    columns = list(writer.row) + ["ordinal", "text"]
    statement = (
        f"INSERT INTO narration ({', '.join(dict.fromkeys(columns))}) "
        f"VALUES ({', '.join(':' + c for c in dict.fromkeys(columns))})"
    )
    try:
        while not stop.is_set():
            row = writer.next_row()
            row["created_at"] = row["created_at"].isoformat(sep=" ")
            began = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(statement, row)
            conn.execute("COMMIT")
            writer.waits.append(time.perf_counter() - began)
            writer.started.append(began)
            time.sleep(WRITE_EVERY_S)
    finally:
        conn.close()


async def delete_old_way(db: Database, narration_id: int) -> None:
    """What 4673cc9 did: ``optimize`` inside the deleting transaction, then the log emptied."""
    async with db.transaction() as session:
        narration = await session.get(Narration, narration_id)
        assert narration is not None
        await repo.delete_narration(session, narration=narration, dialect=db.dialect)
        connection = await session.connection()
        await connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
    await privacy._truncate_log(db)


async def delete_new_way(db: Database, narration_id: int) -> None:
    """What the delete command does now."""
    async with db.transaction() as session:
        narration = await session.get(Narration, narration_id)
        assert narration is not None
        await repo.delete_narration(session, narration=narration, dialect=db.dialect)
    await privacy.clear_traces(db)


async def _between_deletes(db: Database, writer: Writer, fresh: int) -> None:
    """One big segment, then ``fresh`` narrations stored one per transaction."""
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
    for _ in range(fresh):
        async with db.transaction() as session:
            await session.exec(insert(Narration).values(writer.next_row()))
    await privacy._truncate_log(db)


async def _measured(
    db: Database,
    delete: Callable[[Database, int], Awaitable[None]],
    narration_id: int,
    load: str,
    writer: Writer,
) -> dict[str, float]:
    writer.waits.clear()
    writer.started.clear()
    stop_task, stop_thread = asyncio.Event(), threading.Event()
    background: asyncio.Future[Any] | None = None
    if load == "this process":
        background = asyncio.ensure_future(_in_process(db, writer, stop_task))
    elif load == "own connection":
        assert db.engine.url.database is not None
        path = db.engine.url.database
        background = asyncio.ensure_future(
            asyncio.to_thread(_own_connection, path, writer, stop_thread)
        )
    if background is not None:
        while not writer.waits:  # the writer is under way before the delete starts
            await asyncio.sleep(WRITE_EVERY_S)
    began = time.perf_counter()
    await delete(db, narration_id)
    took = time.perf_counter() - began
    if background is not None:
        await asyncio.sleep(WRITE_EVERY_S * 4)  # the write that waited for the last step ends
        stop_task.set()
        stop_thread.set()
        await background
    longest = max(range(len(writer.waits)), key=writer.waits.__getitem__, default=None)
    return {
        "delete_ms": round(took * 1000, 1),
        "longest_wait_ms": round(writer.waits[longest] * 1000, 1) if longest is not None else 0,
        # when that wait began, from the start of the delete (negative: before it)
        "longest_wait_from_ms": (
            round((writer.started[longest] - began) * 1000, 1) if longest is not None else 0
        ),
        "writes": len(writer.waits),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.step_pages:
        index_scrub.STEP_PAGES = args.step_pages
    path = Path(args.db or Path(tempfile.mkdtemp(prefix="fts-scrub-")) / "bench.db")
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    use_benchmark_erasure_key()  # no startup check makes a key file here
    db = Database(f"sqlite:///{path}")
    steps: list[float] = []
    step = index_scrub._step

    async def timed_step(database: Database, pages: int, **kwargs: Any) -> tuple[bool, float, bool]:
        worked, took, merging = await step(database, pages, **kwargs)
        steps.append(took)
        return worked, took, merging

    index_scrub._step = timed_step  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        if not args.reuse:
            await seed(
                db,
                load(args.data / "narrations.jsonl"),
                narrations=args.narrations,
                people=max(50, args.narrations // 100),
            )
        seeded = time.perf_counter() - started
        async with db.transaction() as session:
            ids = [i for i in (await session.exec(select(Narration.id))).all() if i is not None]
            template = (await session.exec(select(Narration).limit(1))).one()
            last = (
                await session.exec(
                    select(func.max(Narration.ordinal)).where(
                        Narration.person_id == template.person_id
                    )
                )
            ).one()
        row = {
            "tenant_id": template.tenant_id,
            "person_id": template.person_id,
            "channel_pk": template.channel_pk,
            "source": "command",
            "audience": "channel",
            "created_at": NOW,
        }
        writer = Writer(row, first_ordinal=max(last or 0, 10_000_000))
        victims = random.Random(3).sample(ids, 6 * args.repeat)
        report: dict[str, Any] = {"narrations": args.narrations, "seed_s": round(seeded, 1)}
        async with db.engine.connect() as conn:
            report["index_pages"] = (
                await conn.execute(text(f"SELECT count(*) FROM {FTS_TABLE}_data"))
            ).scalar_one()
        report["step_pages"] = index_scrub.STEP_PAGES
        for load_kind in ("nobody", "this process", "own connection"):
            results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
            for _ in range(args.repeat):
                for way, delete in (("old", delete_old_way), ("new", delete_new_way)):
                    await _between_deletes(db, writer, args.fresh)
                    steps.clear()
                    result = await _measured(db, delete, victims.pop(), load_kind, writer)
                    if way == "new":
                        result["steps"] = len(steps)
                        result["longest_step_ms"] = round(max(steps, default=0.0) * 1000, 1)
                    results[way].append(result)
            report[load_kind] = {
                way: {
                    **max(rs, key=lambda r: r["longest_wait_ms"]),
                    "delete_ms": statistics.median(r["delete_ms"] for r in rs),
                }
                for way, rs in results.items()
            }
        old_delete = report["nobody"]["old"]["delete_ms"]
        new_delete = report["nobody"]["new"]["delete_ms"]
        report["delete_time_new_over_old"] = round(new_delete / old_delete, 2)
        for load_kind in ("this process", "own connection"):
            old_wait = report[load_kind]["old"]["longest_wait_ms"]
            new_wait = report[load_kind]["new"]["longest_wait_ms"]
            report[f"longest_wait_old_over_new ({load_kind})"] = round(old_wait / new_wait, 1)
        report["targets_met"] = report["delete_time_new_over_old"] <= 2 and all(
            report[k]["new"]["longest_wait_ms"] <= report[k]["new"]["longest_step_ms"] + 100
            for k in ("this process", "own connection")
        )
        return report
    finally:
        index_scrub._step = step
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--narrations", type=int, default=30_000)
    parser.add_argument("--fresh", type=int, default=50, help="narrations stored since a scrub")
    parser.add_argument("--repeat", type=int, default=1, help="deletes per way and load")
    parser.add_argument("--step-pages", type=int, default=0, help="default: the product's")
    parser.add_argument("--db", help="SQLite file to (re)create; default a temporary folder")
    parser.add_argument("--reuse", action="store_true", help="use --db as a previous run left it")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if not (args.data / "narrations.jsonl").is_file():
        print(f"skipped: no dev data at {args.data} (the shared bench folder beside the repo)")
        return 0
    report = asyncio.run(run(args))
    print(json.dumps(report, indent=2))
    return 1 if args.check and not report["targets_met"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
