"""Slack's retry of an event whose handler was cancelled twice is handled, even inside the lease.

A handler cancelled again while it gave its claim back (a shutdown that cancels twice, a timeout
around a cancelled handler) left the claim live in the database for the rest of its 30 s lease:
a retry arriving then found it held and was dropped, though the cancelled handler never
answered, and the narration was lost. The give-back now finishes on its own once begun, and a
retry here waits for it, then does the work.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from narrate_bot.storage import platform_store as ps
from tests.adapters.slack.conftest import RETRY, dm_event, handler_tasks, noted, until

TEXT = "migrated the invoice exporter to the new queue"


async def test_a_retry_inside_the_lease_does_an_event_cancelled_twice(slack, monkeypatch):
    handlers = handler_tasks(slack, monkeypatch)

    # The give-back's statement waits until the handler has been cancelled a second time.
    giving_back, proceed = asyncio.Event(), asyncio.Event()
    release = ps.release_event

    async def held_release(*args: Any, **kwargs: Any) -> None:
        giving_back.set()
        await proceed.wait()
        await release(*args, **kwargs)

    monkeypatch.setattr(ps, "release_event", held_release)

    slack.fake.holds["users.info"] = answered = asyncio.Event()
    status, _, _ = await slack.event(dm_event(TEXT), "Ev-cancelled-twice")
    assert status == 200
    await until(lambda: bool(handlers) and bool(slack.fake.called("users.info")))
    handler = handlers[0]
    handler.cancel()  # shutting down: the work stops before anything is stored or answered
    await giving_back.wait()
    handler.cancel()  # and again, while the claim is being given back
    await asyncio.wait([handler])
    assert handler.cancelled()
    proceed.set()
    answered.set()
    assert await slack.narration_count() == 0 and noted(slack) == 0

    # Slack retries well inside the 30 s lease the first delivery's claim was taken with.
    status, _, _ = await slack.event(dm_event(TEXT), "Ev-cancelled-twice", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)

    # Before: the claim was still live, so the retry was dropped and nothing was kept.
    assert [n.text for n in await slack.narrations()] == [TEXT]
    assert noted(slack) == 1
