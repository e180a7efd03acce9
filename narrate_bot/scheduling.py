"""The wake-up: APScheduler 3.x runs the core's tick every few seconds (docs/adr/0007).

The only module that imports apscheduler. APScheduler holds no schedules of ours (our tables do)
and no job store: a single in-memory interval job with a stable id. Missed wake-ups coalesce
into one, and a late one still runs (a generous ``misfire_grace_time``; APScheduler's default
of 1 s would silently drop a tick after a short event-loop stall). Correctness never depends on
the wake-up: the tick claims each send in the database first, so several processes each running
a ``Ticker`` on one database still send every prompt exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from .features.schedule_jobs import TickReport

if TYPE_CHECKING:
    from .app import Bot

log = logging.getLogger(__name__)

JOB_ID = "narrate-bot:tick"
# How long a cancelled shutdown waits for the running tick to roll back and return its connection.
UNWIND_SECONDS = 5.0


class _TickExecutor(AsyncIOExecutor):  # type: ignore[misc]  # apscheduler ships no stubs
    """APScheduler's asyncio executor, handing each tick's task over the moment it is submitted.

    A wake-up creates the task in one loop iteration; the tick's code first runs in the next.
    A tick that registered itself from inside could therefore be submitted, yet unseen by
    ``aclose``, which then shut the scheduler down and returned; the tick started right after,
    and the executor's (deferred) shutdown cancelled it mid-query while the database closed.
    """

    def __init__(self, submitted: Callable[[asyncio.Future[object]], None]) -> None:
        super().__init__()
        self._submitted = submitted

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        known = set(self._pending_futures)
        super()._do_submit_job(job, run_times)
        for future in self._pending_futures - known:
            self._submitted(future)


class Ticker:
    """Start it inside the running event loop (``await`` context); ``shutdown`` before exit."""

    def __init__(self, bot: Bot, *, every: timedelta | None = None) -> None:
        self.bot = bot
        self.every = every or timedelta(seconds=bot.settings.schedule_tick_seconds)
        self.ticks = 0
        # Each tick's task from its submission (not its first step) until it is done.
        self._in_flight: set[asyncio.Future[object]] = set()
        self.scheduler = AsyncIOScheduler(
            timezone="UTC", executors={"default": _TickExecutor(self._track)}
        )
        # AsyncIOScheduler's shutdown only queues the real one for the event loop's next turn
        # (``_shutdown``); until it has run the scheduler still says it is running.
        self._stopping = False
        self._stopped = asyncio.Event()
        self.scheduler.add_listener(lambda _: self._stopped.set(), EVENT_SCHEDULER_SHUTDOWN)

    def start(self) -> None:
        self.scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.every.total_seconds(), timezone="UTC"),
            id=JOB_ID,
            name="run the scheduled prompts, digests and introductions that are due",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(60, int(self.every.total_seconds() * 10)),
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        """Ask APScheduler to stop, once: its shutdown completes at the loop's next turn, and a
        second request queued before then failed there (``SchedulerNotRunningError``, logged
        by the event loop). ``aclose`` waits for it to complete."""
        if self.scheduler.running and not self._stopping:
            self._stopping = True
            self.scheduler.shutdown(wait=False)

    async def aclose(self) -> None:
        """Stop waking up, then let a tick that is running (or submitted, not yet started) finish,
        and return once the scheduler is shut down (``scheduler.running`` is false).

        Disposing of the database under a tick that is still delivering would leave it waiting
        forever; its sends are claimed, so finishing them is what keeps "exactly once". The
        scheduler is paused first and shut down only once the tick is done: APScheduler's
        shutdown cancels a running job, which cut the tick off mid-send (its prompts went out
        only after their leases ran out) and left it unwinding while the database closed.

        Cancelled (a shutdown's budget spent on a stuck send or query), it cancels the tick too
        and waits for it to unwind, so its session is rolled back and its connection returned
        before the caller disposes of the database: left running into the event loop's close,
        it was cut mid-query there (an unclosed PostgreSQL connection, or a SQLite close that
        never returned and hung the exit).
        """
        if self.scheduler.running:
            self.scheduler.pause()
        try:
            while self._in_flight:
                await asyncio.wait(set(self._in_flight))
        except asyncio.CancelledError:
            running = set(self._in_flight)
            for task in running:
                task.cancel()
            # The unwinding (rollback, connection returned) is waited for, but not for ever: a
            # rollback stuck on a database out of reach must not keep the process from exiting.
            if running:
                await asyncio.wait(running, timeout=UNWIND_SECONDS)
            raise
        finally:
            self.shutdown()
            if self._stopping:
                # APScheduler's queued shutdown runs at the loop's next turn; returned before it,
                # the scheduler still ran, and a shutdown right after queued a second one.
                await self._stopped.wait()

    def _track(self, future: asyncio.Future[object]) -> None:
        self._in_flight.add(future)
        future.add_done_callback(self._in_flight.discard)

    async def _tick(self) -> TickReport | None:
        try:
            report = await self.bot.run_due(self.bot.clock.now())
        except Exception:  # keep waking: one failed tick (database restart) must not stop us
            log.exception("scheduled tick failed; retrying at the next wake-up")
            return None
        self.ticks += 1
        if report.claimed or report.sent:
            log.info("tick: claimed %d, sent %d", report.claimed, report.sent)
        return report
