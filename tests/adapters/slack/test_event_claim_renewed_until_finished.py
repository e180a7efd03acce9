"""An event's claim is renewed until it is finished, not only while its work runs.

Found looking into a PostgreSQL run of ``test_event_lease_renewal`` that failed under load: the
renewals were stopped once the work returned, before the claim was marked done. A finish held up
past the lease (a busy database, its own retries) then left a claim that looked abandoned, and a
Slack retry reaching another replica took it over and stored the narration and said "Noted" a
second time. The claim is now renewed until the finish commits. Two replicas on one database,
signed requests into the real Bolt apps, slack_sdk against the fake Web API; the claims are
timed by the tests' manual clock, moved on only once a renewal at its time is stored.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from narrate_bot.clock import ManualClock
from narrate_bot.storage import platform_store as ps
from tests.adapters.slack.conftest import RETRY, SlackEnv, dm_event, until
from tests.adapters.slack.test_event_lease_renewal import (
    _claim,
    _noted,
    _outcomes,
    _outlast_the_lease,
    _short_lease,
    replica,  # noqa: F401 - the second replica's fixture
)

TEXT = "tuned the cache eviction for the search index"


async def test_a_retry_while_the_finish_is_held_up_is_ignored(
    slack: SlackEnv,
    replica: SlackEnv,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
    clock: ManualClock,
) -> None:
    _short_lease(clock, slack, replica)
    on_replica = _outcomes(replica, monkeypatch)
    finishing, proceed = asyncio.Event(), asyncio.Event()
    finish = ps.finish_event

    async def held_finish(*args: Any, **kwargs: Any) -> None:
        finishing.set()
        await proceed.wait()
        await finish(*args, **kwargs)

    monkeypatch.setattr(ps, "finish_event", held_finish)
    await slack.event(dm_event(TEXT), "Ev-finishing")
    await asyncio.wait_for(finishing.wait(), 10)  # stored and answered; not yet marked done
    assert len(_noted(slack)) == 1
    # Before: the renewals had stopped, so this waited for one in vain.
    await _outlast_the_lease(slack, clock, "Ev-finishing")
    status, _, _ = await replica.event(dm_event(TEXT), "Ev-finishing", **RETRY)
    assert status == 200
    await until(lambda: bool(on_replica))
    proceed.set()
    await slack.adapter.drain(timeout=10)
    await replica.adapter.drain(timeout=10)

    assert on_replica == [False]  # a live claim: the retry was acknowledged and left alone
    assert [n.text for n in await slack.narrations()] == [TEXT]
    assert len(_noted(slack)) == 1
    claim = await _claim(slack, "Ev-finishing")
    assert claim is not None and claim.done
