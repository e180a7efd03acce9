"""Benchmark: the start-up repair (``old_writes.repair``, after every upgrade to head) by size.

    .venv/bin/python -m benchmarks.startup_repair              200,000 vs 20,000 narrations
    .venv/bin/python -m benchmarks.startup_repair --ci         20,000 vs 2,000 (what CI runs)
    ... --engine postgres [--postgres-url URL]                  on PostgreSQL (its schema wiped;
                                                                NARRATE_TEST_POSTGRES_URL otherwise)

Each size's narrations are stored as the code before migration 0061 stored them (no
``index_rules``; ``search_text`` as ``index_text`` gives it): a third plain text, a third an "&"
beside an accent ("R&Dé café", which the walk before 0061 re-read at every start for nothing), a
third CJK. Timed: the first start (``upgrade``; it reads every narration once, as every start
did before 0061), then the fastest of ``STARTS`` starts after it, which have nothing to put
right, and the fastest of their repairs alone (``old_writes.repair`` in its own transaction,
then ``old_writes.walk``, which reads the narrations after it in batches of their own).
The baseline is the same steady repair on a database ``SHRINK`` times smaller, built and timed
in the same run: a repair that reads no narration takes about as long at both sizes. The whole
start is reported, not gated: the rest of it is not flat (on SQLite ``PRAGMA
foreign_key_check``, which ``migrate`` runs after every upgrade, reads every row: ~60 ms at
200,000 narrations).
The plans of the repair's two narration statements at the large size are printed (after
``ANALYZE`` on PostgreSQL); a full scan of ``narration`` is a defect.

Targets: the steady repair at the large size at most ``FLAT_TARGET`` times the small one's (plus
``FLAT_SLACK`` seconds of noise), and no full scan. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text

from benchmarks.engines import database_url, fresh_database
from narrate_bot.knowledge.words import index_text
from narrate_bot.storage import old_writes
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot.storage.tables import Narration

SHRINK = 10
STARTS = 5
FLAT_TARGET = 2.0
FLAT_SLACK = 0.01
BATCH = 5000
SAID = (
    "tuned the kafka consumer lag alerts {}",
    "R&Dé café review with the finance team {}",
    "升级kafka集群 修了 锁 {}",
)
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def _build(url: str, narrations: int) -> Database:
    db = await fresh_database(url)
    async with db.engine.begin() as conn:
        tenant = (
            await conn.execute(
                text(
                    "INSERT INTO tenant (platform, external_id, name, created_at)"
                    " VALUES ('slack', 'T1', 'Acme', :at) RETURNING id"
                ),
                {"at": AT},
            )
        ).scalar_one()
        channel = (
            await conn.execute(
                text(
                    "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
                    " VALUES (:t, 'C1', 'team', 'public', false) RETURNING id"
                ),
                {"t": tenant},
            )
        ).scalar_one()
        person = (
            await conn.execute(
                text(
                    "INSERT INTO person (tenant_id, user_id, display_name, consent, guest,"
                    " created_at) VALUES (:t, 'U1', 'zoe', 'joined', false, :at) RETURNING id"
                ),
                {"t": tenant, "at": AT},
            )
        ).scalar_one()
    table = Narration.__table__  # type: ignore[attr-defined]
    for start in range(0, narrations, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, narrations)):
            said = SAID[n % len(SAID)].format(n)
            rows.append(
                {
                    "tenant_id": tenant,
                    "person_id": person,
                    "channel_pk": channel,
                    "ordinal": n + 1,
                    "source": "command",
                    "audience": "channel",
                    "text": said,
                    "search_text": index_text(said),
                    "created_at": AT,
                }
            )
        async with db.engine.begin() as conn:
            await conn.execute(insert(table), rows)  # no index_rules: as before 0061
    if db.dialect == "postgresql":
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE narration"))
    return db


async def _timed_start(db: Database) -> float:
    began = time.perf_counter()
    await upgrade(db)
    return time.perf_counter() - began


async def _timed_repair(db: Database) -> float:
    async with db.engine.connect() as conn:
        began = time.perf_counter()
        async with conn.begin():
            await conn.run_sync(old_writes.repair)
        await conn.run_sync(old_writes.walk)
        return time.perf_counter() - began


async def _full_scans(db: Database) -> list[str]:
    """The plans of the repair's narration statements that read the whole table."""
    statements = (
        (old_writes.NEXT_RULES, {"before": -1, "rules": old_writes.INDEX_RULES}),
        (old_writes.BY_RULES, {"at_rules": 0, "after": 0, "n": old_writes.BATCH}),
    )
    found = []
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("ANALYZE narration"))
        for statement, values in statements:
            explain = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN "
            rows = (await conn.execute(text(explain + statement.text), values)).all()
            plan = " | ".join(str(row[-1]) for row in rows)
            print(f"  plan: {plan}")
            if "SCAN narration" in plan or "Seq Scan on narration" in plan:
                found.append(plan)
    return found


async def run(engine: str, large: int, postgres_url: str | None, folder: Path) -> int:
    steady: dict[int, float] = {}
    scans: list[str] = []
    for size in (large // SHRINK, large):
        url = database_url(engine, path=folder / f"repair-{size}.db", postgres_url=postgres_url)
        db = await _build(url, size)
        try:
            first = await _timed_start(db)
            start = min([await _timed_start(db) for _ in range(STARTS)])
            steady[size] = min([await _timed_repair(db) for _ in range(STARTS)])
            print(
                f"{size:>9,} narrations: first start {first:6.2f} s (reads each once),"
                f" then {start * 1000:7.1f} ms ({start / first:.4f}x),"
                f" its repair {steady[size] * 1000:7.2f} ms"
            )
            if size == large:
                scans = await _full_scans(db)
        finally:
            await db.dispose()
    small = large // SHRINK
    ratio = steady[large] / steady[small]
    flat = steady[large] <= steady[small] * FLAT_TARGET + FLAT_SLACK
    print(
        f"steady repair at {large:,} / at {small:,}: {ratio:.2f}x"
        f" (target <= {FLAT_TARGET}x + {FLAT_SLACK}s) {'ok' if flat else 'MISSED'}"
    )
    if scans:
        print("full scan of narration: MISSED")
    return 0 if flat and not scans else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ci", action="store_true", help="20,000 vs 2,000 narrations")
    parser.add_argument("--narrations", type=int, help="the large database's narrations")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", help="a PostgreSQL database to wipe")
    args = parser.parse_args(argv)
    large = args.narrations or (20_000 if args.ci else 200_000)
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(run(args.engine, large, args.postgres_url, Path(folder)))


if __name__ == "__main__":
    raise SystemExit(main())
