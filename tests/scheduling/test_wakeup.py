"""The running bot's wake-up: APScheduler's AsyncIOScheduler calls the tick every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_jobs import TickReport
from narrate_bot.replies import Post
from narrate_bot.scheduling import JOB_ID, Ticker
from tests.scheduling.support import Recorder, add_channel_prompts


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_the_scheduler_wakes_the_tick_and_what_is_due_goes_out_once(db):
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    await add_channel_prompts(db, count=4, days="daily", at="09:00", zone="UTC", now=start)
    clock = ManualClock(start)
    bot = Bot(db=db, clock=clock, settings=Settings())
    recorder = Recorder(clock=clock)
    bot.gateways[Platform.CONSOLE] = recorder
    ticker = Ticker(bot, every=timedelta(milliseconds=50))
    ticker.start()
    try:
        await _until(lambda: ticker.ticks >= 2)
        assert recorder.posts == []  # nothing due at 08:00
        clock.set(start + timedelta(hours=1, seconds=10))
        await _until(lambda: len(recorder.posts) == 4)
        seen = ticker.ticks
        await _until(lambda: ticker.ticks >= seen + 3)  # more wake-ups, no more posts
        assert len(recorder.posts) == 4
        job = ticker.scheduler.get_job(JOB_ID)
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time >= 60  # APScheduler's default of 1 s drops stalled ticks
        assert len(ticker.scheduler.get_jobs()) == 1
    finally:
        # The tick running now finishes before the fixture disposes of the database: left
        # running, the event loop's close cut it mid-query (a hung SQLite close, seen as a
        # >5 min hang on a loaded CI machine; an unclosed PostgreSQL connection's warning).
        await ticker.aclose()


@dataclass
class HeldGateway:
    """A platform whose sends wait for ``release`` (a slow one), or forever if never released."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0
    cancelled: int = 0

    async def post(self, tenant: TenantRef, post: Post) -> str:
        self.entered.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.sent += 1
        return f"msg-{self.sent}"


async def _ticker_mid_send(db) -> tuple[Ticker, HeldGateway]:
    start = datetime(2026, 11, 23, 8, 59, 59, tzinfo=UTC)
    await add_channel_prompts(db, count=1, days="daily", at="09:00", zone="UTC", now=start)
    bot = Bot(db=db, clock=ManualClock(start + timedelta(seconds=2)), settings=Settings())
    gateway = HeldGateway()
    bot.gateways[Platform.CONSOLE] = gateway
    ticker = Ticker(bot, every=timedelta(milliseconds=50))
    ticker.start()
    await asyncio.wait_for(gateway.entered.wait(), 10)
    return ticker, gateway


async def test_a_shutdown_lets_the_running_tick_finish_its_send(db):
    """SIGTERM while a prompt is being sent: it goes out, not cut off and resent a lease later."""
    ticker, gateway = await _ticker_mid_send(db)
    try:
        closing = asyncio.create_task(ticker.aclose())
        await asyncio.sleep(0)  # aclose has stopped the wake-ups and waits for the tick
        assert gateway.cancelled == 0
        gateway.release.set()
        await closing
        assert (gateway.sent, gateway.cancelled) == (1, 0)
        assert not ticker.scheduler.running
        assert db.engine.pool.checkedout() == 0
    finally:
        ticker.shutdown()


async def test_a_shutdown_cut_short_by_a_stuck_send_stops_the_tick_before_the_database_closes(db):
    """``narrate-bot run`` gives the ticker a budget on SIGTERM, then cancels ``aclose``: the
    stuck tick is cancelled with it and has unwound (its connection back in the pool) when
    ``aclose`` ends, before the database is disposed, not left running into the loop's close."""
    ticker, gateway = await _ticker_mid_send(db)
    try:
        closing = asyncio.create_task(ticker.aclose())
        await asyncio.sleep(0)
        assert gateway.cancelled == 0
        closing.cancel()  # serve's shutdown budget ran out
        with contextlib.suppress(asyncio.CancelledError):
            await closing
        assert (gateway.sent, gateway.cancelled) == (0, 1)
        assert all(task.done() for task in ticker._in_flight)
        assert db.engine.pool.checkedout() == 0
    finally:
        ticker.shutdown()


async def test_a_shutdown_waits_for_a_tick_submitted_but_not_yet_started(db, monkeypatch):
    """A wake-up has submitted the tick, and ``aclose`` runs before the tick's first step (a
    loaded loop): the prompt due goes out before ``aclose`` returns. The tick used to register
    itself only once started, so ``aclose`` saw none and returned; the tick started after it and
    the scheduler's shutdown cancelled it mid-query while the database was being closed."""
    start = datetime(2026, 11, 23, 8, 59, 59, tzinfo=UTC)
    await add_channel_prompts(db, count=1, days="daily", at="09:00", zone="UTC", now=start)
    clock = ManualClock(start + timedelta(seconds=2))
    bot = Bot(db=db, clock=clock, settings=Settings())
    recorder = Recorder(clock=clock)
    bot.gateways[Platform.CONSOLE] = recorder
    started: list[datetime | None] = []
    run_due = bot.run_due

    async def recording_run_due(until: datetime | None = None) -> TickReport:
        started.append(until)
        return await run_due(until)

    monkeypatch.setattr(bot, "run_due", recording_run_due)
    ticker = Ticker(bot, every=timedelta(hours=1))  # no wake-up of its own during the test
    submitted: list[JobSubmissionEvent] = []
    ticker.scheduler.add_listener(submitted.append, EVENT_JOB_SUBMITTED)
    ticker.start()
    try:
        ticker.scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))  # wake up now
        # The wake-up creates the tick's task; stepping one loop turn at a time, this test runs
        # again before that task's first step does.
        await _until_yielding(lambda: submitted)
        not_yet_started = started == []
    finally:
        await ticker.aclose()
        at_close = (len(started), ticker.ticks, len(recorder.posts))
        # A tick that started after ``aclose`` (the bug) unwinds before the fixture disposes of
        # the database: wait for the scheduler's deferred shutdown and for the tick to be done.
        await _until(lambda: not ticker.scheduler.running and not ticker._in_flight)
    assert not_yet_started  # submitted, not started: the race this test is about
    assert at_close == (1, 1, 1)  # the tick ran, and its prompt went out, before aclose returned
    assert (ticker.ticks, len(recorder.posts)) == (1, 1)  # and nothing ran after it


async def _until_yielding(predicate, limit: int = 10_000) -> None:
    """Wait for ``predicate`` one event-loop step at a time, so nothing queued behind runs."""
    for _ in range(limit):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("timed out")
