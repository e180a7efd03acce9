"""A separate bot process for the replica and kill -9 tests: its own engine, clock and gateway.

    python -m tests.scheduling.worker URL SINK LABEL NOW      one tick at NOW, then exit

``replica`` is the multiprocessing entry point: ticks at each given time, in step with the other
replicas (a barrier), so they contend for the same due schedules.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.storage.database import Database
from tests.scheduling.support import FileSink


async def _run(url: str, sink: str, label: str, times: list[datetime], barrier: Any) -> None:
    db = Database(url)
    clock = ManualClock(times[0])
    bot = Bot(db=db, clock=clock, settings=Settings())
    bot.gateways[Platform.CONSOLE] = FileSink(sink, label)
    try:
        for when in times:
            if barrier is not None:
                await asyncio.to_thread(barrier.wait)
            clock.set(when)
            await tick(bot, when)
    finally:
        await db.dispose()


def replica(url: str, sink: str, label: str, times: list[datetime], barrier: Any) -> None:
    asyncio.run(_run(url, sink, label, times, barrier))


if __name__ == "__main__":
    url, sink, label, now = sys.argv[1:5]
    asyncio.run(_run(url, sink, label, [datetime.fromisoformat(now)], None))
