"""Benchmark: Monday's followed-topics digests when thousands follow one topic.

    .venv/bin/python -m benchmarks.follow_digest          10,000 followers vs 1,000
    .venv/bin/python -m benchmarks.follow_digest --ci     60 vs 6 (what CI runs)
    ... --db postgresql://postgres@127.0.0.1:5432/bench  on PostgreSQL (it and bench_small,
                                                           created if missing, wiped)

``benchmarks.follow_tick`` times the idle wake-ups around Monday; this one times the sending
itself. One workspace: ``NARRATORS`` people wrote ``WEEK`` narrations in public channels during
the week (every other one about kafka), and ``--followers`` others follow kafka; every
follower's digest falls due at Monday 09:00 UTC and each gets one DM (up to the digest's lines)
through a gateway that only counts. Sent by ``follow_digest.send_digests``, batch by batch as
the scheduler's ticks do, timed per digest: the baseline is the same week with ``SHRINK`` times
fewer followers, built and sent in the same run. Each digest reads the week's narrations its
follower may read, so its cost depends on the week, not on how many others follow: the ratio
should stay near 1.

Every statement the large size's sending ran is explained afterwards (as ``forget_me`` does):
a full scan of a table holding ``LARGE`` rows or more is printed with its plan.

Targets: time per digest at the large size at most ``FLAT_TARGET`` times the small one's; no
full scan of a large table. Exits 1 when one is missed (or a follower got no digest).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, make_url, text, update

from benchmarks.engines import fresh_database
from benchmarks.forget_me import LARGE, scans
from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features import follow_digest
from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from narrate_bot.storage.follow_tables import FollowSchedule
from narrate_bot.storage.preference_tables import FOLLOW, TopicPreference
from narrate_bot.storage.tables import Channel, Narration, Person, Tenant

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SINCE = datetime(2026, 10, 1, tzinfo=UTC)
NARRATORS = 50
WEEK = 300
CHANNELS = 10
SHRINK = 10
FLAT_TARGET = 1.5
SIZES = {"ci": 60, "full": 10_000}


class Counter:
    """A gateway that takes every DM and keeps only how many it got."""

    def __init__(self) -> None:
        self.posts = 0
        self.to: set[str] = set()

    async def post(self, _tenant: TenantRef, post: Post) -> str:
        self.posts += 1
        self.to.update(post.to_users or ())
        return f"m{self.posts}"


async def populate(db: Database, followers: int) -> None:
    rng = random.Random(5)
    async with db.engine.begin() as conn:
        tenant = (
            await conn.execute(
                insert(Tenant.__table__).returning(Tenant.__table__.c.id),  # type: ignore[attr-defined]
                [{"platform": "console", "external_id": "t", "name": "t", "created_at": SINCE}],
            )
        ).scalar_one()
        people = list(
            (
                await conn.execute(
                    insert(Person.__table__).returning(Person.__table__.c.id),  # type: ignore[attr-defined]
                    [
                        {
                            "tenant_id": tenant,
                            "user_id": f"u{i}",
                            "display_name": f"u{i}",
                            "timezone": "UTC",
                            "consent": "joined",
                            "joined_at": SINCE,
                            "created_at": SINCE,
                        }
                        for i in range(NARRATORS + followers)
                    ],
                )
            ).scalars()
        )
        channels = list(
            (
                await conn.execute(
                    insert(Channel.__table__).returning(Channel.__table__.c.id),  # type: ignore[attr-defined]
                    [
                        {"tenant_id": tenant, "channel_id": f"C{i}", "name": f"c{i}"}
                        for i in range(CHANNELS)
                    ],
                )
            ).scalars()
        )
        ordinals: dict[int, int] = {}
        rows: list[dict[str, Any]] = []
        for k in range(WEEK):
            person = people[k % NARRATORS]
            ordinals[person] = ordinals.get(person, 0) + 1
            about = "kafka consumer lag" if k % 2 == 0 else "ledger migration"
            rows.append(
                {
                    "tenant_id": tenant,
                    "person_id": person,
                    "channel_pk": rng.choice(channels),
                    "ordinal": ordinals[person],
                    "source": "command",
                    "audience": "channel",
                    "text": f"looked into {about} again, step {k}",
                    "created_at": MONDAY - timedelta(days=7) + timedelta(minutes=30 * k + 1),
                }
            )
        await conn.execute(insert(Narration.__table__), rows)  # type: ignore[attr-defined]
        following = people[NARRATORS:]
        await conn.execute(
            insert(TopicPreference.__table__),  # type: ignore[attr-defined]
            [
                {
                    "tenant_id": tenant,
                    "person_id": pid,
                    "kind": FOLLOW,
                    "topic": "kafka",
                    "topic_key": "kafka",
                    "created_at": SINCE,
                }
                for pid in following
            ],
        )
        # Following keeps a schedule row (a trigger adds it): all fall due this Monday 09:00.
        await conn.execute(
            update(FollowSchedule.__table__).values(due_at=MONDAY)  # type: ignore[attr-defined]
        )
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


async def send(url: str, followers: int) -> tuple[float, int, list[tuple[str, str]]]:
    """Seconds to send every digest due Monday 09:00, how many went out, and the statements
    they ran whose plan reads a whole table of ``forget_me.LARGE`` rows or more."""
    db = await fresh_database(url)
    await populate(db, followers)
    bot = Bot(db=db, clock=ManualClock(MONDAY), settings=Settings())
    gateway = Counter()
    bot.gateways = {Platform.CONSOLE: gateway}  # type: ignore[dict-item]
    bot.introductions = None
    ran: dict[str, Any] = {}

    def seen(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        ran.setdefault(statement, params)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        started = time.perf_counter()
        sent = await follow_digest.send_digests(bot, MONDAY)
        took = time.perf_counter() - started
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    found = await scans(db, [(s, p, 0.0) for s, p in ran.items()])
    await db.dispose()
    assert gateway.posts == sent and len(gateway.to) == sent, (gateway.posts, sent)
    return took, sent, found


def _beside(url: str, suffix: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}{suffix}").render_as_string(hide_password=False)


async def run(url: str | None, followers: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as tmp:
        large_url = url or f"sqlite:///{Path(tmp) / 'large.db'}"
        small_url = _beside(url, "_small") if url else f"sqlite:///{Path(tmp) / 'small.db'}"
        small_n = max(1, followers // SHRINK)
        small_s, small_sent, _ = await send(small_url, small_n)
        large_s, large_sent, found = await send(large_url, followers)
    dialect = make_url(large_url).get_backend_name()
    load = os.getloadavg()
    per_small, per_large = small_s / small_sent, large_s / large_sent
    ratio = per_large / per_small
    flat = ratio <= FLAT_TARGET and (small_sent, large_sent) == (small_n, followers)
    print(
        f"engine: {dialect}; {WEEK} narrations in the week by {NARRATORS} people; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs"
    )
    for label, count, took, sent in (
        ("small", small_n, small_s, small_sent),
        ("large", followers, large_s, large_sent),
    ):
        print(
            f"  {label}: {count:,} followers of kafka: {sent:,} digests in {took:.2f} s "
            f"= {took / sent * 1000:.2f} ms each, {sent / took:,.0f}/s"
        )
    print(
        f"time per digest, {followers:,} vs {small_n:,} followers: {ratio:.2f}x "
        f"(target <= {FLAT_TARGET:.1f}x) {'PASS' if flat else 'FAIL'}"
    )
    for statement, plan in found:
        print(f"  full scan: {statement[:300]}\n    plan: {plan[:400]}")
    print(
        f"full scans of a table of >= {LARGE:,} rows: {len(found)} "
        f"{'PASS' if not found else 'FAIL'}"
    )
    return flat and not found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ci", action="store_true", help="60 followers vs 6")
    parser.add_argument("--db", help="a database URL to use (wiped); default a temporary SQLite")
    parser.add_argument("--followers", type=int, help="the large size (the small is a tenth)")
    args = parser.parse_args(argv)
    followers = args.followers or SIZES["ci" if args.ci else "full"]
    return 0 if asyncio.run(run(args.db, followers)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
