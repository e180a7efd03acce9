"""The running bot's wake-up: APScheduler's AsyncIOScheduler calls the tick every few seconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform
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
        ticker.shutdown()
