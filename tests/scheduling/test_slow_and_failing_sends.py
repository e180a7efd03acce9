"""Delivery when sends are slow or fail: a batch that takes longer than a lease while another
replica ticks, and one send whose handling raises among many that don't. Time is the manual
clock, moved by the gateway as a paced platform would take it."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_delivery import MAX_ATTEMPTS
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from tests.scheduling.support import Recorder, add_channel_prompts

MONDAY_0800_UTC = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 Berlin


@dataclass
class PacedGateway:
    """A platform that takes one second per post (Discord's DM pacing, Slack's rate tier):
    each post moves the shared clock on, and ``at`` runs something after the Nth post starts."""

    clock: ManualClock
    label: str
    sent: list[tuple[str, str]]
    at: dict[int, Callable[[], Awaitable[object]]] = field(default_factory=dict)
    count: int = 0

    async def post(self, tenant: TenantRef, post: Post) -> str:
        self.count += 1
        self.clock.advance(timedelta(seconds=1))
        if self.count in self.at:
            await self.at[self.count]()
        self.sent.append((post.channel_id or "", self.label))
        return f"{self.label}-{self.count}"


async def test_a_batch_slower_than_the_lease_is_not_posted_again_by_another_replica(db):
    """200 channels prompted at 09:00; replica A posts at one a second, and replica B's regular
    tick comes 121 s in, past A's 120 s lease. Every channel gets its prompt exactly once."""
    await add_channel_prompts(
        db,
        count=200,
        days="daily",
        at="09:00",
        zone="Europe/Berlin",
        now=MONDAY_0800_UTC - timedelta(hours=1),
    )
    sent: list[tuple[str, str]] = []
    clock = ManualClock(MONDAY_0800_UTC)
    replica_a = Bot(db=db, clock=clock, settings=Settings())
    replica_b = Bot(db=Database(db.url), clock=clock, settings=Settings())
    replica_b.gateways[Platform.CONSOLE] = PacedGateway(clock, "B", sent)
    b_ticks = []

    async def b_tick() -> None:
        b_ticks.append(await tick(replica_b, clock.now()))

    replica_a.gateways[Platform.CONSOLE] = PacedGateway(clock, "A", sent, at={121: b_tick})
    try:
        await tick(replica_a, MONDAY_0800_UTC)
    finally:
        await replica_b.db.dispose()
    assert len(b_ticks) == 1 and b_ticks[0].sent > 0  # B did share the work
    per_channel = Counter(channel for channel, _ in sent)
    assert len(per_channel) == 200
    assert [channel for channel, n in per_channel.items() if n > 1] == []
    async with db.engine.connect() as conn:
        statuses = await conn.execute(text("SELECT status, count(*) FROM schedule_send GROUP BY 1"))
        assert dict(statuses.all()) == {"sent": 200}


class BrokenIntroductions:
    """The weekly job raises: a bug in one workspace's pairing, or a database hiccup."""

    def __init__(self) -> None:
        self.calls = 0

    async def weekly(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        self.calls += 1
        raise RuntimeError("alice's narration 'reorg the payments team' broke the pairing")

    async def follow_up(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        return []


async def test_one_send_that_raises_holds_back_no_other_send_and_is_given_up(db, caplog):
    """The introductions job fails at Monday 10:00 and on every retry; the five channel
    prompts at 10:05 still go out at 10:05, no tick fails, and the job is given up after
    its attempts, logged without what the error said."""
    sunday = datetime(2026, 11, 22, 12, tzinfo=UTC)
    clock = ManualClock(sunday)
    bot = Bot(db=db, clock=clock, settings=Settings())
    recorder = Recorder(clock=clock)
    bot.gateways[Platform.CONSOLE] = recorder
    intros = BrokenIntroductions()
    bot.introductions = intros
    await add_channel_prompts(db, count=5, days="daily", at="10:05", zone="UTC", now=sunday)
    await tick(bot, sunday)  # the workspace gets its default slot: Monday 10:00 UTC
    failed_ticks = 0
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with caplog.at_level(logging.DEBUG, logger="narrate_bot.features.schedule_jobs"):
        while now <= datetime(2026, 11, 23, 10, 30, tzinfo=UTC):
            clock.set(now)
            try:
                await tick(bot, now)
            except Exception:
                failed_ticks += 1
            now += timedelta(seconds=30)
    assert failed_ticks == 0
    prompt_times = [when for when, post in recorder.posts if post.channel_id]
    assert prompt_times == [datetime(2026, 11, 23, 10, 5, tzinfo=UTC)] * 5
    assert intros.calls == MAX_ATTEMPTS
    async with db.engine.connect() as conn:
        job = await conn.execute(
            text(
                "SELECT ss.status, ss.error FROM schedule_send ss"
                " JOIN schedule s ON s.id = ss.schedule_id WHERE s.kind = 'intros'"
            )
        )
        assert job.all() == [("failed", "RuntimeError")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("failed: RuntimeError" in line for line in warnings)
    assert not any("payments" in line for line in warnings)
