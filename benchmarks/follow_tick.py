"""Benchmark: an idle wake-up (``run_due`` with nothing to send) with many topic followers.

    .venv/bin/python -m benchmarks.follow_tick            10,000 followers in 2,000 workspaces
    .venv/bin/python -m benchmarks.follow_tick --ci       2,000 followers in 2,000 workspaces
    ... --db postgresql://postgres@127.0.0.1:5432/bench  on PostgreSQL (wiped first)

The scheduler calls ``run_due`` every 30 s; following a topic must not make that read every
follower (it did: 2,000 followers in 2,000 workspaces took an idle wake-up from a few ms to
~0.7-1.5 s, one settings read per workspace included). Measured twice, against the same
database before anyone follows anything (the baseline, in the same run):

- a Wednesday, when no zone's Monday 09:00 is near;
- Monday 22:00 UTC, when every zone's digest fell due within the day and all were claimed
  (the worst idle case: zones with a digest due are looked at, their followers are not read).

Targets (median of several wake-ups, against the baseline): on the Wednesday at most
``QUIET_TARGET`` times it (no follower is looked at: no zone's Monday 09:00 is near); on the
Monday night at most ``MONDAY_TARGET`` times it. There the database still checks each follower
in a zone whose digest is due for a claim (an index-only anti-join that returns nobody, no
follower read into Python): ~3x at 2,000 followers, ~5x at 10,000 on this machine; before,
one query per workspace and every follower read made it 200-500x. Exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import insert, text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.features.schedule_settings import TENANT_ZONE_KEY
from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from narrate_bot.storage.follow_tables import SENT, FollowDigest
from narrate_bot.storage.migrate import upgrade
from narrate_bot.storage.preference_tables import FOLLOW, TopicPreference
from narrate_bot.storage.tables import Person, Tenant, TenantSetting

WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MONDAY_NIGHT = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
WEEK = "2026-11-30"
SINCE = datetime(2026, 10, 1, tzinfo=UTC)
QUIET_TARGET = 2.0
MONDAY_TARGET = 8.0
REPEATS = 7


class NullGateway:
    """Nothing is sent in an idle wake-up; a post would be a bug in the benchmark."""

    async def post(self, tenant: Any, post: Post) -> str:
        raise AssertionError(f"an idle wake-up posted to {post.to_users} in {tenant}")


def _zones(count: int) -> list[str]:
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    step = max(1, len(names) // count)
    return names[::step][:count]


async def _populate(db: Database, followers: int, tenants: int) -> list[int]:
    """Workspaces (every other one with a zone of its own) and their people; nobody follows."""
    zones = _zones(100)
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Tenant.__table__),  # type: ignore[attr-defined]
            [
                {
                    "platform": "console",
                    "external_id": f"t{t}",
                    "name": f"t{t}",
                    "created_at": SINCE,
                }
                for t in range(tenants)
            ],
        )
        ids = list((await connection.execute(text("SELECT id FROM tenant ORDER BY id"))).scalars())
        await connection.execute(
            insert(TenantSetting.__table__),  # type: ignore[attr-defined]
            [
                {
                    "tenant_id": tid,
                    "key": TENANT_ZONE_KEY,
                    "value": zones[i % len(zones)],
                    "updated_at": SINCE,
                }
                for i, tid in enumerate(ids)
                if i % 2 == 0
            ],
        )
        await connection.execute(
            insert(Person.__table__),  # type: ignore[attr-defined]
            [
                {
                    "tenant_id": ids[i % tenants],
                    "user_id": f"u{i}",
                    "timezone": zones[(i * 7) % len(zones)] if i % 3 else None,
                    "consent": "joined",
                    "created_at": SINCE,
                }
                for i in range(followers)
            ],
        )
        return list((await connection.execute(text("SELECT id FROM person ORDER BY id"))).scalars())


async def _follow(db: Database, people: list[int]) -> None:
    """Everyone follows three topics, and Monday 2026-11-30's digests are all claimed."""
    async with db.transaction() as session:
        connection = await session.connection()
        rows = await connection.execute(text("SELECT id, tenant_id FROM person"))
        tenant_of: dict[int, int] = {row[0]: row[1] for row in rows.all()}
        await connection.execute(
            insert(TopicPreference.__table__),  # type: ignore[attr-defined]
            [
                {
                    "tenant_id": tenant_of[pid],
                    "person_id": pid,
                    "kind": FOLLOW,
                    "topic": topic,
                    "topic_key": topic,
                    "created_at": SINCE,
                }
                for pid in people
                for topic in ("kafka", "ledger", "flink")
            ],
        )
        await connection.execute(
            insert(FollowDigest.__table__),  # type: ignore[attr-defined]
            [
                {
                    "tenant_id": tenant_of[pid],
                    "person_id": pid,
                    "week": WEEK,
                    "status": SENT,
                    "claimed_at": MONDAY_NIGHT - timedelta(hours=12),
                    "sent_at": MONDAY_NIGHT - timedelta(hours=12),
                }
                for pid in people
            ],
        )


async def _analyze(db: Database) -> None:
    """Table statistics, as a running database has them (autovacuum; SQLite's optimize)."""
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


async def _idle(bot: Bot, at: datetime) -> float:
    """The median idle ``run_due`` at ``at``, in seconds; it must send nothing."""
    times: list[float] = []
    for _ in range(REPEATS):
        assert isinstance(bot.clock, ManualClock)
        bot.clock.set(at)
        started = time.perf_counter()
        report = await bot.run_due(at)
        times.append(time.perf_counter() - started)
        assert report.sent == 0 and report.claimed == 0, report
    return statistics.median(times)


async def run(url: str | None, followers: int, tenants: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        if db.dialect == "postgresql":
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(db)
        people = await _populate(db, followers, tenants)
        await _analyze(db)
        bot = Bot(db=db, clock=ManualClock(WEDNESDAY), settings=Settings())
        bot.gateways[Platform.CONSOLE] = NullGateway()  # type: ignore[assignment]
        bot.introductions = None  # no weekly rounds: only the wake-up's own checks are timed
        await _idle(bot, WEDNESDAY)  # warm up the connection pool and statement caches
        base = {at: await _idle(bot, at) for at in (WEDNESDAY, MONDAY_NIGHT)}
        await _follow(db, people)
        await _analyze(db)
        with_followers = {at: await _idle(bot, at) for at in (WEDNESDAY, MONDAY_NIGHT)}
        await db.dispose()

    print(f"engine: {db.dialect}; followers: {followers:,} in {tenants:,} workspaces")
    ok = True
    for at, label, target in (
        (WEDNESDAY, "Wednesday", QUIET_TARGET),
        (MONDAY_NIGHT, "Monday 22:00 UTC, all claimed", MONDAY_TARGET),
    ):
        ratio = with_followers[at] / base[at]
        good = ratio <= target
        ok = ok and good
        print(
            f"idle run_due, {label}: {with_followers[at] * 1000:.1f} ms with followers vs "
            f"{base[at] * 1000:.1f} ms with none = {ratio:.2f}x "
            f"(target <= {target:.1f}x) {'PASS' if good else 'FAIL'}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ci", action="store_true", help="2,000 followers in 2,000 workspaces")
    parser.add_argument("--db", help="a database URL to use (wiped); default a temporary SQLite")
    parser.add_argument("--followers", type=int)
    args = parser.parse_args()
    followers = args.followers or (2_000 if args.ci else 10_000)
    raise SystemExit(0 if asyncio.run(run(args.db, followers, 2_000)) else 1)


if __name__ == "__main__":
    main()
