"""Benchmark: one scheduling tick for many people across ~400 time zones.

    .venv/bin/python -m benchmarks.scheduling_tick            10,000 people, ~400 zones
    .venv/bin/python -m benchmarks.scheduling_tick --ci       2,000 people, 100 zones (< 1 min)
    ... --db postgresql://postgres@127.0.0.1:5432/bench      on PostgreSQL (wiped first)
    ... --workspaces 500 [--deliver]                         the people spread over 500
                                                              workspaces, against all in one

``--workspaces N`` spreads the people (and their schedules) evenly over N workspaces, and runs
the same claim (and with ``--deliver`` the delivery of every claimed prompt through a gateway
that only counts, ``deliver_due``) with everyone in one workspace too, in the same run: the
rates' ratio shows what the number of workspaces costs (it should stay near 1). CI runs
``--ci --people 3000 --workspaces 300`` (claims only: a delivery is a few transactions per prompt,
minutes at thousands).

Targets (research/reliability-performance.md, B5 #9): computing every next fire time takes
<= 2 s, and the claim step (read due schedules, plan slots, INSERT ... ON CONFLICT DO NOTHING
RETURNING, move next_fire_at) claims >= 2,000 sends/s. The claim rate is reported against a
plain multi-row INSERT of the same rows into the same table, measured in the same run.
Exits 1 when a target is missed.
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
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import insert, text

from benchmarks.engines import use_benchmark_erasure_key
from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_delivery import deliver_due
from narrate_bot.features.schedule_jobs import claim_due, plan
from narrate_bot.knowledge.fire_times import EVERY_DAY
from narrate_bot.replies import Post
from narrate_bot.storage import repositories as repo
from narrate_bot.storage import schedules as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot.storage.schedule_tables import Schedule, ScheduleSend
from narrate_bot.storage.tables import Person

NOW = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)  # a DST-change day in Europe, for good measure
NEXT_FIRE_BUDGET_S = 2.0
CLAIM_TARGET_PER_S = 2000.0


def _zones(count: int) -> list[str]:
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    step = max(1, len(names) // count)
    return names[::step][:count]


class Counter:
    """A gateway that takes every post and keeps only how many it got."""

    def __init__(self) -> None:
        self.posts = 0

    async def post(self, _tenant: TenantRef, _post: Post) -> str:
        self.posts += 1
        return f"m{self.posts}"


async def _populate(db: Database, people: int, zones: list[str], workspaces: int = 1) -> None:
    """Every person has a daily personal prompt that fell due within the last hour; the people
    are spread evenly over ``workspaces``."""
    rng = random.Random(42)
    async with db.transaction() as session:
        tenants = []
        for w in range(workspaces):
            tenant = await repo.ensure_tenant(
                session,
                platform="console",
                external_id="bench" if w == 0 else f"bench{w}",
                name=f"bench{w}",
                now=NOW,
            )
            assert tenant.id is not None
            tenants.append(tenant.id)
        folks = [
            Person(
                tenant_id=tenants[i % workspaces],
                user_id=f"u{i}",
                timezone=zones[i % len(zones)],
                consent="joined",
                created_at=NOW,
            )
            for i in range(people)
        ]
        session.add_all(folks)
        await session.flush()
        for person in folks:
            assert person.timezone is not None
            local = (NOW - timedelta(minutes=rng.randint(1, 60))).astimezone(
                ZoneInfo(person.timezone)
            )
            session.add(
                Schedule(
                    tenant_id=person.tenant_id,
                    kind="personal",
                    person_id=person.id,
                    days=EVERY_DAY,
                    local_time=f"{local:%H:%M}",
                    timezone=person.timezone,
                    next_fire_at=NOW - timedelta(minutes=61),
                    created_at=NOW,
                )
            )


async def run(
    url: str | None, people: int, zone_count: int, workspaces: int = 1, deliver: bool = False
) -> bool:
    """The claim (and delivery) at ``workspaces``; with more than one, against one workspace."""
    if workspaces == 1:
        return (await measure(url, people, zone_count, 1, deliver))[0]
    one_ok, one = await measure(url, people, zone_count, 1, deliver)
    many_ok, many = await measure(url, people, zone_count, workspaces, deliver)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    for what in one:
        print(
            f"{what} rate, {workspaces} workspaces vs 1: {many[what]:,.0f}/s vs {one[what]:,.0f}/s"
            f" = {many[what] / one[what]:.2f}x"
        )
    return one_ok and many_ok


async def measure(
    url: str | None, people: int, zone_count: int, workspaces: int, deliver: bool
) -> tuple[bool, dict[str, float]]:
    """Whether the targets were met, and the claim (and delivery) rates per second."""
    use_benchmark_erasure_key()
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        if db.dialect == "postgresql":
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(db)
        zones = _zones(zone_count)
        await _populate(db, people, zones, workspaces)
        async with db.transaction() as session:
            due = await store.due_schedules(session, now=NOW, dialect=db.dialect, limit=people)

        # 1. Fire times for everyone: the slot to claim and the next fire (what a tick computes).
        started = time.perf_counter()
        rows, _ = plan(
            due, now=NOW, grace=timedelta(hours=2), skips={}, reminders=set(), jobs_enabled=False
        )
        next_fire_s = time.perf_counter() - started

        # 2. The real claim step, end to end.
        bot = Bot(db=db, clock=ManualClock(NOW), settings=Settings())
        started = time.perf_counter()
        claimed = await claim_due(bot, NOW)
        claim_s = time.perf_counter() - started
        again = await claim_due(bot, NOW)  # a second process at the same moment: nothing left
        rates = {"claim": claimed / claim_s}
        if deliver:
            gateway = Counter()
            bot.gateways = {Platform.CONSOLE: gateway}  # type: ignore[dict-item]
            started = time.perf_counter()
            delivered = await deliver_due(bot, NOW)
            deliver_s = time.perf_counter() - started
            assert delivered == gateway.posts == claimed, (delivered, gateway.posts, claimed)
            rates["delivery"] = delivered / deliver_s

        # 3. Baseline: a plain INSERT of the same rows into the same (emptied) table.
        async with db.transaction() as session:
            await session.exec(text("DELETE FROM schedule_send"))  # type: ignore[call-overload]
        started = time.perf_counter()
        async with db.transaction() as session:
            connection = await session.connection()
            await connection.execute(insert(ScheduleSend.__table__), rows)  # type: ignore[attr-defined]
        plain_s = time.perf_counter() - started
        await db.dispose()

    claim_rate = claimed / claim_s
    plain_rate = len(rows) / plain_s
    ok_fire = next_fire_s <= NEXT_FIRE_BUDGET_S
    ok_claim = claim_rate >= CLAIM_TARGET_PER_S and claimed == len(rows) == people and again == 0
    print(
        f"engine: {db.dialect}; people: {people:,} in {workspaces:,} workspace(s); "
        f"time zones: {len(zones)}"
    )
    print(
        f"next fire times: {next_fire_s:.3f} s for {people:,} schedules "
        f"(budget {NEXT_FIRE_BUDGET_S:.1f} s) {'PASS' if ok_fire else 'FAIL'}"
    )
    print(
        f"claim: {claimed:,} sends in {claim_s:.3f} s = {claim_rate:,.0f}/s "
        f"(target {CLAIM_TARGET_PER_S:,.0f}/s) {'PASS' if ok_claim else 'FAIL'}; "
        f"a second claim at the same moment got {again}"
    )
    print(
        f"baseline plain insert: {len(rows):,} rows in {plain_s:.3f} s = {plain_rate:,.0f}/s; "
        f"claim / plain = {claim_rate / plain_rate:.2f}"
    )
    if deliver:
        print(
            f"delivery: {claimed:,} prompts in {claimed / rates['delivery']:.2f} s = "
            f"{rates['delivery']:,.1f}/s"
        )
    return ok_fire and ok_claim, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ci", action="store_true", help="2,000 people, 100 zones")
    parser.add_argument("--db", help="a database URL to use (wiped); default a temporary SQLite")
    parser.add_argument("--people", type=int)
    parser.add_argument("--workspaces", type=int, default=1, help="spread over N, against 1")
    parser.add_argument("--deliver", action="store_true", help="also deliver every prompt")
    args = parser.parse_args()
    people = args.people or (2_000 if args.ci else 10_000)
    zones = 100 if args.ci else 400
    ok = asyncio.run(run(args.db, people, zones, args.workspaces, args.deliver))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
