"""Who-knows latency at scale, against a naive scan measured in the same run.

    .venv/bin/python -m benchmarks.who_knows_latency --narrations 100000 [--engine postgres]

The organisation is the golang-tools dev set scaled up: each synthetic narration is a real one
with its sentences shuffled, written by a re-mapped person (so 560 real people become ``--people``
synthetic ones), spread evenly over the last three years, 1 in 10 in a private channel. Rows are
bulk-inserted (the bot's intake would take hours at a million), each with the ``search_text`` the
bot writes (``words.index_text``); the schema, full-text index and triggers are the real ones from
the migrations.

Queries come in classes: the most frequent query words of the dev set's questions (the ones that
match a large share of all narrations), ordinary questions (real commit subjects), and names the
index holds only the letters of (C++, C#, R and .NET, searched by their own token,
``words.symbol_token``; the word "net": its window checks how its matches spell it, among at most
``search.SPELLED_SCAN`` of them). Each is
answered by ``find_experts``, exactly as chat does. The baseline is the obvious implementation:
``LIKE '%word%'`` on every visible narration, grouped by person.

Targets (docs/adr/0006-ranking-v2.md): p95 <= 200 ms, p99 <= 1 s, median >= 50x faster than the
scan, and every class's median at most half the scan's median. ``--check`` exits 1 if any misses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, or_, text
from sqlmodel import col, select

from benchmarks.engines import database_url
from narrate_bot.features.who_knows import find_experts
from narrate_bot.knowledge.words import index_text, query_terms
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot.storage.repositories import visible_to
from narrate_bot.storage.tables import Channel, ChannelMember, Narration, Person, Tenant

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "bench" / "expertise" / "golang-tools"
)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
PUBLIC_CHANNELS = 20
PRIVATE_CHANNELS = 5
BATCH = 5000
# Questions about names told apart by how they are spelled, not by the index (``symbol name``).
NAMED = (
    "who knows about C++?",
    "who knows net",
    "who knows .NET",
    "who knows C?",
    "who knows c# and cgo",
    "who knows R?",
    "who knows net/http and net",
    "who knows about C++ bindings",
)


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _sentences(text_: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n(?=- )|(?<=[.!?])\s+", text_) if p.strip()]
    return parts or [text_]


async def seed(db: Database, source: list[dict[str, Any]], *, narrations: int, people: int) -> int:
    """Bulk-load the scaled organisation; returns the tenant's primary key."""
    rng = random.Random(7)
    await upgrade(db)
    real_people = sorted({n["person"] for n in source})
    groups = max(1, -(-people // len(real_people)))
    async with db.engine.begin() as conn:
        tenant_pk = (
            await conn.execute(
                insert(Tenant).returning(col(Tenant.id)),
                [
                    {
                        "platform": "console",
                        "external_id": "bench",
                        "name": "bench",
                        "created_at": NOW,
                    }
                ],
            )
        ).scalar_one()
        channels = [
            {"tenant_id": tenant_pk, "channel_id": f"C{i}", "name": f"c{i}", "kind": kind}
            for i, kind in enumerate(["public"] * PUBLIC_CHANNELS + ["private"] * PRIVATE_CHANNELS)
        ]
        channel_pks = list(
            (await conn.execute(insert(Channel).returning(col(Channel.id)), channels)).scalars()
        )
        person_rows: list[dict[str, Any]] = [
            {
                "tenant_id": tenant_pk,
                "user_id": f"{person}-{group}",
                "display_name": f"{person}-{group}",
                "team": "bench",
                "consent": "joined",
                "joined_at": NOW - SPAN,
                "created_at": NOW - SPAN,
            }
            for group in range(groups)
            for person in real_people
        ][:people]
        person_pks: dict[str, int] = {}
        for start in range(0, len(person_rows), BATCH):
            chunk = person_rows[start : start + BATCH]
            pks = (await conn.execute(insert(Person).returning(col(Person.id)), chunk)).scalars()
            for row, pk in zip(chunk, pks, strict=True):
                assert pk is not None  # RETURNING a primary key
                person_pks[row["user_id"]] = pk
        user_ids = list(person_pks)
        private = channel_pks[PUBLIC_CHANNELS:]
        members = [
            {"channel_pk": pk, "user_id": user}
            for pk in private
            for user in rng.sample(user_ids, max(1, len(user_ids) // 5))
        ]
        for start in range(0, len(members), BATCH):
            await conn.execute(insert(ChannelMember), members[start : start + BATCH])
    ordinals: Counter[int] = Counter()
    step = SPAN / narrations
    rows: list[dict[str, Any]] = []
    for k in range(narrations):
        real = source[k % len(source)]
        copy = k // len(source)
        group = (copy + zlib.crc32(real["person"].encode())) % groups
        user = f"{real['person']}-{group}"
        person_pk = (
            person_pks.get(user) or person_pks[user_ids[zlib.crc32(user.encode()) % len(user_ids)]]
        )
        sentences = _sentences(real["text"])
        rng.shuffle(sentences)
        body = "\n".join(sentences)
        ordinals[person_pk] += 1
        in_private = rng.random() < 0.1
        rows.append(
            {
                "tenant_id": tenant_pk,
                "person_id": person_pk,
                "channel_pk": rng.choice(private if in_private else channel_pks[:PUBLIC_CHANNELS]),
                "ordinal": ordinals[person_pk],
                "source": "command",
                "audience": "channel",
                "text": body,
                "search_text": index_text(body),
                "created_at": NOW - SPAN + step * k,
            }
        )
        if len(rows) >= BATCH or k == narrations - 1:
            async with db.engine.begin() as conn:
                await conn.execute(insert(Narration), rows)
            rows = []
    if db.dialect == "postgresql":
        # What autovacuum does after a bulk load: merge the GIN pending list, refresh statistics.
        async with db.engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    assert tenant_pk is not None  # RETURNING a primary key
    return tenant_pk


def query_classes(
    source: list[dict[str, Any]], questions: list[dict[str, Any]], *, per_class: int
) -> dict[str, list[str]]:
    """The question words most frequent in narrations, ordinary questions, and names."""
    asked = Counter(t for q in questions for t in query_terms(q["query"]))
    document_frequency: Counter[str] = Counter()
    vocabulary = set(asked)
    for narration in source:
        document_frequency.update(set(query_terms(narration["text"], limit=1000)) & vocabulary)
    common = [t for t, _ in document_frequency.most_common(per_class)]
    rng = random.Random(11)
    ordinary = [q["query"] for q in rng.sample(questions, per_class)]
    names = [NAMED[i % len(NAMED)] for i in range(per_class)]
    return {"common word": common, "ordinary question": ordinary, "symbol name": names}


async def answer(db: Database, tenant_pk: int, viewer: str, question: str) -> float:
    started = time.perf_counter()
    async with db.transaction() as session:
        await find_experts(
            session,
            dialect=db.dialect,
            tenant_id=tenant_pk,
            viewer_user_id=viewer,
            answer_channel_pk=None,
            question=question,
            now=NOW,
        )
    return time.perf_counter() - started


async def naive_scan(db: Database, tenant_pk: int, viewer: str, question: str) -> float:
    """Every visible narration containing any of the words, counted per person."""
    words = query_terms(question)
    started = time.perf_counter()
    async with db.transaction() as session:
        statement = (
            select(col(Narration.person_id), func.count())
            .join(Channel, col(Channel.id) == col(Narration.channel_pk))
            .where(
                visible_to(tenant_id=tenant_pk, viewer_user_id=viewer, answer_channel_pk=None),  # type: ignore[arg-type]
                or_(*(func.lower(col(Narration.text)).like(f"%{w}%") for w in words)),
            )
            .group_by(col(Narration.person_id))
            .order_by(func.count().desc())
            .limit(5)
        )
        list(await session.exec(statement))
    return time.perf_counter() - started


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    source = load(args.data / "narrations.jsonl")
    questions = load(args.data / "queries.jsonl")
    people = args.people or max(50, args.narrations // 100)
    path = Path(args.db or f"/tmp/narrate-bench-{args.narrations}.db")
    url = database_url(args.engine, path=path, postgres_url=args.postgres_url, reuse=args.reuse)
    db = Database(url)
    try:
        if db.dialect == "postgresql" and not args.reuse:
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        started = time.perf_counter()
        if args.reuse:
            async with db.transaction() as session:
                first = (await session.exec(select(func.min(col(Tenant.id))))).one()
                assert first is not None, "--reuse needs a database this benchmark seeded"
                tenant_pk = first
        else:
            tenant_pk = await seed(db, source, narrations=args.narrations, people=people)
        seed_seconds = time.perf_counter() - started
        async with db.transaction() as session:
            viewers = list(await session.exec(select(col(Person.user_id)).limit(people)))
            version_query = "select version()" if db.dialect == "postgresql" else None
            engine_version = (
                str(await session.scalar(text(version_query))).split(" on ")[0]
                if version_query
                else f"SQLite {sqlite3.sqlite_version}"
            )
        rng = random.Random(5)
        classes = query_classes(source, questions, per_class=args.queries)
        for question in classes["ordinary question"][:3]:  # warm the caches once
            await answer(db, tenant_pk, rng.choice(viewers), question)
        timings: dict[str, list[float]] = {}
        for name, qs in classes.items():
            timings[name] = [
                await answer(db, tenant_pk, rng.choice(viewers), q)
                for _ in range(args.repeat)
                for q in qs
            ]
        scans = [
            await naive_scan(db, tenant_pk, rng.choice(viewers), q)
            for q in (classes["common word"][: args.scans // 2] + classes["ordinary question"])[
                : args.scans
            ]
        ]
    finally:
        await db.dispose()
    everything = [t for ts in timings.values() for t in ts]
    scan_median = statistics.median(scans)
    report: dict[str, Any] = {
        "engine": db.dialect,
        "engine_version": engine_version,
        "narrations": args.narrations,
        "people": people,
        "machine": f"{os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}",
        "seed_seconds": round(seed_seconds, 1),
        "scan_median_ms": round(scan_median * 1000, 1),
        "median_ms": round(statistics.median(everything) * 1000, 1),
        "p95_ms": round(percentile(everything, 0.95) * 1000, 1),
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1),
        "speedup_median": round(scan_median / statistics.median(everything), 1),
        "classes": {
            name: {
                "queries": len(ts),
                "median_ms": round(statistics.median(ts) * 1000, 1),
                "p95_ms": round(percentile(ts, 0.95) * 1000, 1),
                "max_ms": round(max(ts) * 1000, 1),
                "scan_median_over_class_median": round(scan_median / statistics.median(ts), 1),
            }
            for name, ts in timings.items()
        },
    }
    report["targets_met"] = (
        report["p95_ms"] <= 200
        and report["p99_ms"] <= 1000
        and report["speedup_median"] >= 50
        and all(c["median_ms"] <= report["scan_median_ms"] / 2 for c in report["classes"].values())
    )
    return report


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--narrations", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=0, help="default: narrations / 100")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--db", help="SQLite file to (re)create; default under /tmp")
    parser.add_argument("--postgres-url", help="a database this benchmark may wipe")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=20, help="questions per class")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--scans", type=int, default=10, help="naive scans to time")
    parser.add_argument(
        "--reuse", action="store_true", help="query the database a previous run seeded"
    )
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
