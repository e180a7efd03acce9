"""Slack: a 429 whose ``Retry-After`` is long is not slept on, through slack_sdk against the mock
Web API, on the limiter's clock (``SlackGateway.monotonic``), which the test moves.

Found in review: ``SlackGateway.call`` waited out every 429 in process, up to six times. One
``Retry-After: 3600`` held the calling task an hour per attempt (a whole scheduler wake-up, or a
person's command), and every other sender in the workspace slept as long in the limiter. Now
the call is refused at once with the 429 the callers know (``NotPosted.retry_after``: the time
still to wait), so the core's retries come back then; every other call in the workspace is
refused the same way until then, without a request reaching Slack; short waits are still waited
out. On the old code these calls never return: the guard (``GUARD``) turns that into a failure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.ports import NotPosted
from narrate_bot.replies import Post
from narrate_bot_adapters.slack import gateway as slack_gateway
from narrate_bot_adapters.slack.gateway import RateLimited, SlackGateway
from tests.adapters.slack.conftest import SlackEnv, until

GUARD = 60.0  # far past any correct run (which never sleeps on the 429): only against a hang
TENANT = TenantRef(platform=Platform.SLACK, tenant_id="T1")


def limiter_clock(gateway: SlackGateway, ahead: Callable[[], float]) -> None:
    """The workspace limiters' clock: real time (pacing still sleeps on it) plus ``ahead()``
    seconds the test moves on (never back). Limiters made before are dropped, so the next call
    uses it."""
    gateway.monotonic = lambda: time.monotonic() + ahead()
    gateway.limiters.clear()


async def close_methods(slack: SlackEnv, seconds: float, *methods: str) -> None:
    """Slack answers one call of each of ``methods`` in T1 with a 429 of ``seconds`` (slack_sdk
    against the mock): each stays closed there that long, as a 429 closes only its method."""
    gateway = slack.adapter.gateway
    for method in methods:
        slack.fake.rate_limit_once[method] = seconds
        with pytest.raises(RateLimited):
            await asyncio.wait_for(
                gateway.call("T1", method, lambda m=method: gateway.client.api_call(m)),  # type: ignore[misc]
                GUARD,
            )


def _posts(slack: SlackEnv) -> list[int | None]:
    return [c.status for c in slack.fake.calls if c.method == "chat.postMessage"]


async def _post(gateway: SlackGateway, post: Post) -> str:
    return await asyncio.wait_for(gateway.post(TENANT, post), GUARD)


async def test_a_long_retry_after_refuses_every_post_until_it_passes(slack: SlackEnv):
    gateway = slack.adapter.gateway
    skipped = [0.0]
    limiter_clock(gateway, lambda: skipped[0])
    slack.fake.rate_limit_once["chat.postMessage"] = 3600

    with pytest.raises(NotPosted) as first:
        await _post(gateway, Post(text="What are you working on?", channel_id="C1"))
    assert first.value.retry_after == 3600  # the whole hour, for the core's retry
    assert _posts(slack) == [429]  # refused at once, not tried again in process

    skipped[0] += 600  # ten minutes later, another sender in the same workspace
    before = len(slack.fake.calls)
    with pytest.raises(NotPosted) as second:
        await _post(gateway, Post(text="Your digest", to_users=("U2",)))
    assert second.value.retry_after is not None
    assert 2900 < second.value.retry_after <= 3000  # what is left of the hour, not all of it
    assert slack.fake.calls[before:] == []  # no post reached Slack during the block
    # Another method is closed by its own 429s only (``test_rate_limit_per_method``).
    assert await asyncio.wait_for(gateway.channel_now(TENANT, "C1"), GUARD) is not None

    skipped[0] += 3000  # the hour is over
    assert await _post(gateway, Post(text="What are you working on?", channel_id="C1"))
    assert await _post(gateway, Post(text="Your digest", to_users=("U2",)))
    assert _posts(slack) == [429, 200, 200]


async def test_a_command_during_the_block_is_acked_and_answered(slack: SlackEnv):
    """A person's ``/narrate`` while Slack keeps the lookups it needs closed: acked, and
    answered at its ``response_url`` (not the Web API), with no Web API request made
    meanwhile. Who they are can't be looked up, so the answer is that Slack asked to slow down
    (a guess at them would be answered and stored wrongly:
    ``test_rate_limit_never_reads_a_guest``)."""
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    await close_methods(slack, 3600, "users.info", "conversations.info")
    before = len(slack.fake.calls)

    status, _, _ = await asyncio.wait_for(slack.command("help"), GUARD)
    assert status == 200
    await asyncio.wait_for(until(lambda: slack.fake.responses, timeout=GUARD), GUARD + 1)
    assert "Slack has asked me to slow down" in slack.fake.responses[-1]["text"]  # where asked
    # Bolt's own authorization (``auth.test``, once per process) is Bolt's, not ours.
    assert [c.method for c in slack.fake.calls[before:] if c.method != "auth.test"] == []


async def test_short_waits_stop_once_the_budget_is_spent(
    slack: SlackEnv, monkeypatch: pytest.MonkeyPatch
):
    """Short 429s are waited out, but not past the budget: with a 1.5 s cap and budget, a
    ``Retry-After: 1`` Slack keeps answering is tried twice (one wait), not six times."""
    monkeypatch.setattr(slack_gateway, "LONGEST_WAIT", 1.5)
    monkeypatch.setattr(slack_gateway, "WAIT_BUDGET", 1.5)
    slack.fake.rate_limited["chat.postMessage"] = 1
    with pytest.raises(NotPosted) as refused:
        await _post(slack.adapter.gateway, Post(text="What are you working on?", channel_id="C1"))
    assert refused.value.retry_after == 1
    assert _posts(slack) == [429, 429]
