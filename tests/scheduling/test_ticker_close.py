"""``Ticker.aclose`` returns once APScheduler's shutdown has completed, not merely been queued."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.base import STATE_STOPPED

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.scheduling import Ticker
from narrate_bot.storage.database import Database
from tests.conftest import START


def _ticker(db: Database) -> Ticker:
    bot = Bot(db=db, clock=ManualClock(START), settings=Settings())
    return Ticker(bot, every=timedelta(hours=1))  # no wake-up of its own during the test


async def test_aclose_returns_with_the_scheduler_stopped(db):
    """AsyncIOScheduler's ``shutdown`` only queues the real one for the loop's next turn: ``aclose``
    returned before it ran, with the scheduler still paused, not stopped."""
    ticker = _ticker(db)
    ticker.start()
    await ticker.aclose()
    assert ticker.scheduler.state == STATE_STOPPED
    assert not ticker.scheduler.running


async def test_a_shutdown_right_after_aclose_is_a_no_op(db):
    """A caller that shuts the ticker down again after ``aclose`` (a ``finally`` of its own)
    queued a second APScheduler shutdown, which failed in the event loop with
    ``SchedulerNotRunningError``."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        ticker = _ticker(db)
        ticker.start()
        await ticker.aclose()
        ticker.shutdown()
        ticker.shutdown()
        # Whatever was queued for the loop runs before this task's next step.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert ticker.scheduler.state == STATE_STOPPED
    assert [repr(context.get("exception")) for context in errors] == []


async def test_two_shutdowns_before_the_loop_turns_queue_one(db):
    """``shutdown`` twice in one step (a signal handler and a ``finally``) asks APScheduler once;
    ``aclose`` after them still waits for that shutdown to complete."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        ticker = _ticker(db)
        ticker.start()
        ticker.shutdown()
        ticker.shutdown()
        await ticker.aclose()
        assert ticker.scheduler.state == STATE_STOPPED
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert [repr(context.get("exception")) for context in errors] == []
