"""An event cancelled while its claim is being marked done is still not done twice.

Once the work returned, the claim is renewed until it is finished (``_finish_renewed``). A
shutdown cancelling the handler while that finish was held up (a busy database) stopped both:
the claim was neither finished nor renewed, and past the lease Slack's retry on another replica
stored the narration again and said "Noted" a second time. The finish now runs in a task of its
own that the cancellation doesn't cut short. Signed requests into the real Bolt app, slack_sdk
against the fake Web API, two replicas on one database.
"""

from __future__ import annotations

import asyncio

import pytest

from narrate_bot.clock import ManualClock
from narrate_bot.storage import platform_store as ps
from tests.adapters.slack.conftest import (
    RETRY,
    SlackEnv,
    cancel_newest,
    dm_event,
    handler_tasks,
    held_at,
    until,
)
from tests.adapters.slack.test_event_lease_renewal import (
    LEASE,
    _claim,
    _noted,
    _outcomes,
    _short_lease,
    replica,  # noqa: F401
)

TEXT = "tuned the cache eviction for the search index"


async def test_a_handler_cancelled_while_its_claim_is_finished_is_not_answered_twice(
    slack: SlackEnv,
    replica: SlackEnv,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    clock: ManualClock,
) -> None:
    _short_lease(clock, slack, replica)
    handlers = handler_tasks(slack, monkeypatch)
    on_replica = _outcomes(replica, monkeypatch)
    finishing, proceed = held_at(monkeypatch, ps, "finish_event")
    await slack.event(dm_event(TEXT), "Ev-cancel-finish")
    await asyncio.wait_for(finishing.wait(), 30)  # stored and answered; being marked done
    assert len(_noted(slack)) == 1
    task = asyncio.create_task(cancel_newest(slack, handlers))
    await asyncio.wait([handlers[-1]])
    proceed.set()
    await task
    clock.advance(3 * LEASE)
    await replica.event(dm_event(TEXT), "Ev-cancel-finish", **RETRY)
    await until(lambda: bool(on_replica))
    await replica.adapter.drain(timeout=30)

    assert [n.text for n in await slack.narrations()] == [TEXT], on_replica
    assert len(_noted(slack)) == 1
    claim = await _claim(slack, "Ev-cancel-finish")
    assert claim is not None and claim.done
