"""Benchmark: an idle wake-up (``run_due`` with nothing to send) with many topic followers.

    .venv/bin/python -m benchmarks.follow_tick            2,000 and 10,000 followers
    .venv/bin/python -m benchmarks.follow_tick --ci       the same (what CI runs)
    ... --followers 50000                                  one size only
    ... --db postgresql://postgres@127.0.0.1:5432/bench  on PostgreSQL (it and bench_base,
                                                           created if missing, wiped)

The scheduler calls ``run_due`` every 30 s; following a topic must not make that read every
follower. Measured against a database with the same workspaces and people where nobody follows
anything (the baseline, timed in turns with it in the same run), at two moments:

- a Wednesday, when no digest is due;
- Monday 22:00 UTC, when every zone's digest fell due within the day and all were sent (the
  Monday window, the worst idle case before migration 0029).

Each follower's next due time is kept in ``follow_schedule`` under an index, so a wake-up
reads only the rows due: nothing at either moment. Targets (the fastest of several wake-ups): at
most ``QUIET_TARGET`` times the baseline on the Wednesday and ``MONDAY_TARGET`` on the Monday
night, and flat: the ratio at the largest size at most ``FLAT_TARGET`` times the one at the
smallest (or 1, when that is below it), plus ``FLAT_SLACK``: a ratio near 1 moves by a few
tenths with the machine's noise.
Before 0029 the Monday ratio grew with the followers: ~3x at 2,000, 15-18x at 10,000 (the
database checked every follower in a zone whose Monday 09:00 had come for a claim). Exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import insert, make_url, text

from benchmarks.engines import fresh_database
from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.features.follows import next_digest
from narrate_bot.features.schedule_settings import TENANT_ZONE_KEY
from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from narrate_bot.storage.follow_tables import SENT, FollowDigest, FollowSchedule
from narrate_bot.storage.preference_tables import FOLLOW, TopicPreference
from narrate_bot.storage.tables import Person, Tenant, TenantSetting

WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MONDAY_NIGHT = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
WEEK = "2026-11-30"
SINCE = datetime(2026, 10, 1, tzinfo=UTC)
QUIET_TARGET = 2.0
MONDAY_TARGET = 2.0
FLAT_TARGET = 1.25
FLAT_SLACK = 0.25
SIZES = (2_000, 10_000)
REPEATS = 15


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
    """Everyone follows three topics, and Monday 2026-11-30's digests are all sent: each
    follower's next one is due at their next Monday 09:00, as sending leaves it."""
    async with db.transaction() as session:
        connection = await session.connection()
        rows = await connection.execute(text("SELECT id, tenant_id, timezone FROM person"))
        found = rows.all()
        tenant_of: dict[int, int] = {row[0]: row[1] for row in found}
        zones = await connection.execute(
            text("SELECT tenant_id, value FROM tenant_setting WHERE key = :k"),
            {"k": TENANT_ZONE_KEY},
        )
        workspace: dict[int, str] = {row[0]: row[1] for row in zones.all()}
        await connection.execute(
            insert(FollowSchedule.__table__),  # type: ignore[attr-defined]
            [
                {
                    "person_id": pid,
                    "tenant_id": tid,
                    "due_at": next_digest(MONDAY_NIGHT, own=own, workspace=workspace.get(tid)),
                }
                for pid, tid, own in found
            ],
        )
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


async def _once(bot: Bot, at: datetime) -> float:
    """One idle ``run_due`` at ``at``, in seconds; it must send nothing."""
    assert isinstance(bot.clock, ManualClock)
    bot.clock.set(at)
    started = time.perf_counter()
    report = await bot.run_due(at)
    elapsed = time.perf_counter() - started
    assert report.sent == 0 and report.claimed == 0, report
    return elapsed


def _beside(url: str, suffix: str) -> str:
    """The URL of a second database next to ``url`` (the no-follower baseline's)."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}{suffix}").render_as_string(hide_password=False)


async def measure(url: str | None, followers: int, tenants: int) -> dict[datetime, float]:
    """The ratio of an idle wake-up with ``followers`` to one with none, at each moment.

    Two databases with the same workspaces and people, followers in one only; their wake-ups
    are timed in turns and the fastest of each compared, so load from other work on the
    machine (which only ever adds time, and comes and goes) weighs on both alike."""
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as tmp:
        main_url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        base_url = _beside(url, "_base") if url else f"sqlite:///{Path(tmp) / 'base.db'}"
        db, base_db = await fresh_database(main_url), await fresh_database(base_url)
        people = await _populate(db, followers, tenants)
        await _populate(base_db, followers, tenants)
        await _follow(db, people)
        bots: list[Bot] = []
        for each in (base_db, db):
            await _analyze(each)
            bot = Bot(db=each, clock=ManualClock(WEDNESDAY), settings=Settings())
            bot.gateways[Platform.CONSOLE] = NullGateway()  # type: ignore[assignment]
            bot.introductions = None  # no weekly rounds: only the wake-up's checks are timed
            await _once(bot, WEDNESDAY)  # warm up the connection pool and statement caches
            bots.append(bot)
        fastest: dict[tuple[int, datetime], float] = {}
        for at in (WEDNESDAY, MONDAY_NIGHT):
            for _ in range(REPEATS):
                for i, bot in enumerate(bots):
                    took = await _once(bot, at)
                    fastest[i, at] = min(fastest.get((i, at), took), took)
        dialect = db.dialect
        await db.dispose()
        await base_db.dispose()
    print(f"engine: {dialect}; followers: {followers:,} in {tenants:,} workspaces")
    for at, label in ((WEDNESDAY, "Wednesday"), (MONDAY_NIGHT, "Monday 22:00 UTC, all sent")):
        print(
            f"  idle run_due, {label}: {fastest[1, at] * 1000:.1f} ms with followers vs "
            f"{fastest[0, at] * 1000:.1f} ms with none = {fastest[1, at] / fastest[0, at]:.2f}x"
        )
    return {at: fastest[1, at] / fastest[0, at] for at in (WEDNESDAY, MONDAY_NIGHT)}


async def run(url: str | None, sizes: tuple[int, ...], tenants: int) -> bool:
    ratios = {size: await measure(url, size, tenants) for size in sizes}
    ok = True
    for at, label, target in (
        (WEDNESDAY, "Wednesday", QUIET_TARGET),
        (MONDAY_NIGHT, "Monday night", MONDAY_TARGET),
    ):
        for size in sizes:
            good = ratios[size][at] <= target
            ok = ok and good
            print(
                f"{label}, {size:,} followers: {ratios[size][at]:.2f}x "
                f"(target <= {target:.1f}x) {'PASS' if good else 'FAIL'}"
            )
        if len(sizes) > 1:
            small, large = ratios[sizes[0]][at], ratios[sizes[-1]][at]
            bound = max(small, 1.0) * FLAT_TARGET + FLAT_SLACK
            flat = large <= bound
            ok = ok and flat
            print(
                f"{label}, flat: {large:.2f}x at {sizes[-1]:,} vs {small:.2f}x at {sizes[0]:,} "
                f"(target <= {bound:.2f}x) {'PASS' if flat else 'FAIL'}"
            )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ci", action="store_true", help="2,000 and 10,000 followers")
    parser.add_argument("--db", help="a database URL to use (wiped); default a temporary SQLite")
    parser.add_argument("--followers", type=int, help="one size only")
    args = parser.parse_args()
    sizes = (args.followers,) if args.followers else SIZES
    raise SystemExit(0 if asyncio.run(run(args.db, sizes, 2_000)) else 1)


if __name__ == "__main__":
    main()
