"""An event whose handler is cancelled is Slack's retry's to do, even when the cancellation comes
again while the claim is being given back (a shutdown that cancels twice, a timeout around a
cancelled handler).

The process remembers the events it claimed so a retry of one is dropped before any statement;
forgetting it came after the give-back's awaits, so a second cancellation there left it
remembered as handled for 72 hours and dropped every later retry here: the event was lost. The
memory is now forgotten before anything is awaited, and the give-back, once begun, finishes
on its own: a retry even inside the lease does the work
(``test_retry_after_cancelled_give_back.py``, through the Bolt app).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from narrate_bot.clock import ManualClock
from narrate_bot.storage.database import Database
from narrate_bot_adapters.slack import dedupe as dd

LEASE = timedelta(seconds=30)


def _body(event_id: str) -> dict[str, Any]:
    return {"team_id": "T1", "event_id": event_id, "event": {"type": "message"}}


def _dedupe(db: Database, clock: ManualClock) -> dd.EventDedupe:
    return dd.EventDedupe(db, SimpleNamespace(enterprise_of={}), lease=LEASE, clock=clock)  # type: ignore[arg-type]


async def _cancelled(dedupe: dd.EventDedupe, event_id: str, *, times: int) -> None:
    """Start ``event_id``'s handler, cancel it ``times`` times (the later ones while it is
    giving its claim back) and wait for it to end."""
    started = asyncio.Event()

    async def hang() -> None:
        started.set()
        await asyncio.Event().wait()

    first = asyncio.create_task(dedupe.once(_body(event_id), hang))
    await started.wait()
    for _ in range(times):
        first.cancel()
        await asyncio.sleep(0)  # it runs into its except path and waits there
    await asyncio.wait([first])
    assert first.cancelled()


async def test_a_retry_after_the_lease_does_an_event_whose_give_back_was_cancelled(db, clock):
    dedupe = _dedupe(db, clock)
    await _cancelled(dedupe, "Ev-twice", times=2)
    clock.advance(LEASE * 10)  # the claim was neither given back nor renewed: it has lapsed
    ran: list[str] = []

    async def work() -> None:
        ran.append("retry")

    assert await dedupe.once(_body("Ev-twice"), work) is True
    assert ran == ["retry"]


async def test_a_retry_at_once_does_an_event_cancelled_once(db, clock):
    """One cancellation still gives the claim back: the retry needn't wait for the lease."""
    dedupe = _dedupe(db, clock)
    await _cancelled(dedupe, "Ev-once", times=1)
    ran: list[str] = []

    async def work() -> None:
        ran.append("retry")

    assert await dedupe.once(_body("Ev-once"), work) is True
    assert ran == ["retry"]
