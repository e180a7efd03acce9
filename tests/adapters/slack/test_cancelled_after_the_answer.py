"""A DM cancelled once its narration is stored is not stored, nor answered, twice on a retry.

A handler cancelled (a shutdown) while its answer was on its way to Slack gave its claim back,
though the narration was stored and Slack posted the "Noted": Slack's retry inside the lease
then stored a second narration and posted a second "Noted". The claim is now finished instead
once the core has stored and answered the event. And a shutdown whose drain times out no longer
leaves a claim's give-back running after the database is disposed of.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from narrate_bot.storage import platform_store as ps
from tests.adapters.slack.conftest import RETRY, dm_event, handler_tasks, noted, until
from tests.adapters.slack.test_retry_after_cancelled_give_back import TEXT


async def test_a_retry_after_a_cancelled_answer_stores_and_answers_nothing_more(slack, monkeypatch):
    handlers = handler_tasks(slack, monkeypatch)
    slack.fake.holds["chat.postMessage"] = posting = asyncio.Event()
    await slack.event(dm_event(TEXT), "Ev-in-flight")
    await until(lambda: bool(slack.fake.called("chat.postMessage")))
    handlers[0].cancel()  # shutting down while Slack is posting the "Noted"
    await asyncio.wait([handlers[0]])
    posting.set()  # Slack did post it
    await slack.adapter.dedupe.settled()
    assert await slack.narration_count() == 1

    status, _, _ = await slack.event(dm_event(TEXT), "Ev-in-flight", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)
    assert [n.text for n in await slack.narrations()] == [TEXT]
    assert noted(slack) == 1


async def test_a_cancelled_give_back_ends_with_the_drain(slack, monkeypatch):
    handlers = handler_tasks(slack, monkeypatch)
    giving_back, proceed = asyncio.Event(), asyncio.Event()
    release = ps.release_event
    after_drain: list[bool] = []
    drained = asyncio.Event()

    async def held_release(*args: Any, **kwargs: Any) -> None:
        giving_back.set()
        await proceed.wait()  # a database that doesn't answer
        after_drain.append(drained.is_set())
        await release(*args, **kwargs)

    monkeypatch.setattr(ps, "release_event", held_release)
    slack.fake.holds["users.info"] = answered = asyncio.Event()
    await slack.event(dm_event(TEXT), "Ev-drain")
    await until(lambda: bool(handlers) and bool(slack.fake.called("users.info")))
    handlers[0].cancel()  # before anything is stored: its claim is given back
    await giving_back.wait()
    handlers[0].cancel()
    await asyncio.wait([handlers[0]])
    answered.set()

    await slack.adapter.drain(timeout=0.2)  # shutting down: the database goes next
    drained.set()
    # Before: the give-back was still running, and wrote once the database was gone.
    assert all(task.done() for task in slack.adapter.dedupe._giving_back.values())
    proceed.set()
    await asyncio.sleep(0)
    assert after_drain == []
