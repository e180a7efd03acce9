"""An event whose work outlasts its claim's lease is still handled once, across replicas.

Two replicas share one database, as in production. The lease is shortened to 0.2 s (instead of
30 s) and the claims are timed by the tests' manual clock: the core is held while the clock is
moved on past several leases, each step shorter than a lease and taken only once a renewal at the
clock's time is stored, so a slow core (a slow database, a big fan-out) outlasts the lease however
late the event loop runs. A Slack retry of the same event then reaches the other replica while
the first one is still working. The person must see one narration and one "Noted", and a
replica that lost its claim anyway (a stall longer than the lease) must not take it back from its
new owner.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings, SlackSettings
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage.database import Database
from narrate_bot_adapters.slack.app import SlackAdapter
from narrate_bot_adapters.slack.http import SlackHttpServer
from tests.adapters.slack.conftest import (
    RETRY,
    SECRET,
    TOKEN,
    SlackEnv,
    dm_event,
    eventually,
    until,
)

LEASE = timedelta(seconds=0.2)  # on the manual clock; renewals every 67 ms of real time
OUTLASTS = 5  # leases the held work outlasts: without renewal its claim looks abandoned
CANARY = "okapi-canary-lease-notes"


@pytest.fixture
async def replica(db: Database, slack: SlackEnv, clock: ManualClock) -> AsyncIterator[SlackEnv]:
    """A second replica: its own bot, Bolt app and HTTP server, on the same database."""
    bot = Bot(db=db, clock=clock, settings=Settings())
    settings = SlackSettings(
        bot_token=SecretStr(TOKEN),
        signing_secret=SecretStr(SECRET),
        api_url=slack.fake.base_url,
        workspace_rate_per_minute=60_000,
    )
    adapter = SlackAdapter(bot, settings)
    server = SlackHttpServer(adapter, SECRET)
    runner, port = await server.start("127.0.0.1", 0)
    async with aiohttp.ClientSession() as http:
        yield SlackEnv(slack.fake, adapter, http, f"http://127.0.0.1:{port}/slack/events", db)
    await runner.cleanup()
    await asyncio.sleep(0.05)
    await adapter.drain()


def _short_lease(clock: ManualClock, *envs: SlackEnv) -> None:
    for env in envs:
        env.adapter.dedupe.lease = LEASE
        env.adapter.dedupe.clock = clock
        env.adapter.retry_delays = (0.0, 0.0)


class Held:
    """The first call into a replica's core: ``started`` once it runs, then held until
    ``release`` is set; ``finished`` once it returned or raised."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = asyncio.Event()


def _slow_core(env: SlackEnv, monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> Held:
    """The replica's core is held on its first call (then fails, if ``fail``)."""
    real = env.adapter.bot.handle
    held = Held()
    started, finished = held.started, held.finished

    async def slow(event: Any) -> Any:
        first = not started.is_set()
        started.set()
        try:
            if first:
                await held.release.wait()
            if fail:
                raise ConnectionError("database too slow")
            return await real(event)
        finally:
            if first:
                finished.set()

    monkeypatch.setattr(env.adapter.bot, "handle", slow)
    return held


async def _outlast_the_lease(env: SlackEnv, clock: ManualClock, event_id: str) -> None:
    """Move the clock on ``OUTLASTS`` leases while the work is held, half a lease at a time,
    each step only once the claim was renewed at the clock's time: it never lapses on the
    clock, however late the loop runs the renewals. Without renewals this fails."""
    for _ in range(2 * OUTLASTS):
        clock.advance(LEASE / 2)
        now = clock.now()

        async def renewed(now: datetime = now) -> bool:
            claim = await _claim(env, event_id)
            return claim is not None and claim.claimed_at == now

        await eventually(renewed)


def _outcomes(env: SlackEnv, monkeypatch: pytest.MonkeyPatch) -> list[bool | str]:
    """What the replica's dedupe decided for each delivery: ran it, skipped it, or failed."""
    real = env.adapter.dedupe.once
    seen: list[bool | str] = []

    async def watched(*args: Any, **kwargs: Any) -> bool:
        try:
            ran = await real(*args, **kwargs)
        except BaseException as error:
            seen.append(type(error).__name__)
            raise
        seen.append(ran)
        return ran

    monkeypatch.setattr(env.adapter.dedupe, "once", watched)
    return seen


def _noted(env: SlackEnv) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in env.fake.calls
        if c.method == "chat.postMessage" and "Noted" in str(c.params)
    ]


async def _claim(env: SlackEnv, event_id: str) -> ps.SeenEvent | None:
    async with env.db.transaction() as session:
        found = await session.exec(select(ps.SeenEvent).where(ps.SeenEvent.event_id == event_id))
        return found.first()


async def test_a_retry_reaching_another_replica_while_slow_work_outlasts_the_lease_is_ignored(
    slack: SlackEnv, replica: SlackEnv, monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    _short_lease(clock, slack, replica)
    held = _slow_core(slack, monkeypatch)
    on_replica = _outcomes(replica, monkeypatch)

    assert (await slack.event(dm_event("migrated the billing jobs"), "Ev-slow"))[0] == 200
    await asyncio.wait_for(held.started.wait(), 10)
    await _outlast_the_lease(slack, clock, "Ev-slow")  # the first delivery is still working
    assert not held.finished.is_set()
    status, _, _ = await replica.event(dm_event("migrated the billing jobs"), "Ev-slow", **RETRY)
    assert status == 200
    await until(lambda: bool(on_replica))
    held.release.set()
    await asyncio.wait_for(held.finished.wait(), 10)
    await until(lambda: bool(_noted(slack)))
    await slack.adapter.drain(timeout=10)  # its claim finished (the answer goes out first)

    assert [n.text for n in await slack.narrations()] == ["migrated the billing jobs"]
    assert len(_noted(slack)) == 1
    assert on_replica == [False]  # the retry was acknowledged and left alone
    claim = await _claim(slack, "Ev-slow")
    assert claim is not None and claim.done


async def test_a_retry_after_slow_work_finished_is_acknowledged_and_ignored(
    slack: SlackEnv, replica: SlackEnv, monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    _short_lease(clock, slack, replica)
    held = _slow_core(slack, monkeypatch)
    on_replica = _outcomes(replica, monkeypatch)
    await slack.event(dm_event("wrote the runbook"), "Ev-done")
    await asyncio.wait_for(held.started.wait(), 10)
    await _outlast_the_lease(slack, clock, "Ev-done")
    held.release.set()
    await asyncio.wait_for(held.finished.wait(), 10)
    await until(lambda: bool(_noted(slack)))
    # Finished (the answer goes out first): a retry past the lease before that takes over a
    # claim whose finish is still on its way, which is not what this test is about.
    await slack.adapter.drain(timeout=10)
    clock.advance(2 * LEASE)  # long past the last renewal

    await replica.event(dm_event("wrote the runbook"), "Ev-done", **RETRY)
    await until(lambda: bool(on_replica))
    assert on_replica == [False]
    assert [n.text for n in await slack.narrations()] == ["wrote the runbook"]
    assert len(_noted(slack)) == 1


async def test_slow_work_that_fails_unanswered_gives_the_claim_back_for_a_retry_to_redo(
    slack: SlackEnv, replica: SlackEnv, monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    """Nobody could be told it failed, so Slack's retry (on either replica) must do it."""
    _short_lease(clock, slack, replica)
    held = _slow_core(slack, monkeypatch, fail=True)
    on_first = _outcomes(slack, monkeypatch)
    slack.fake.failures["chat.postMessage"] = "fatal_error"
    await slack.event(dm_event("rotated the signing keys"), "Ev-fail")
    await asyncio.wait_for(held.started.wait(), 10)
    await _outlast_the_lease(slack, clock, "Ev-fail")
    held.release.set()
    await asyncio.wait_for(held.finished.wait(), 10)
    await until(lambda: bool(on_first))
    assert on_first == ["Unanswered"]
    assert await _claim(slack, "Ev-fail") is None  # given back, not left to expire

    del slack.fake.failures["chat.postMessage"]
    await replica.event(dm_event("rotated the signing keys"), "Ev-fail", **RETRY)

    async def stored() -> bool:
        return [n.text for n in await slack.narrations()] == ["rotated the signing keys"]

    await eventually(stored)
    await until(lambda: bool(_noted(slack)))
    assert len(_noted(slack)) == 1


async def test_a_replica_that_lost_its_claim_neither_renews_nor_releases_the_new_owners(
    slack: SlackEnv,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    clock: ManualClock,
) -> None:
    """A stall longer than the lease (a paused VM) let another replica take the event over:
    the first one's renewals and its failure must leave the new owner's claim alone."""
    caplog.set_level(logging.DEBUG)
    _short_lease(clock, slack)
    held = _slow_core(slack, monkeypatch, fail=True)
    slack.fake.failures["chat.postMessage"] = "fatal_error"  # so the failure gives it back
    await slack.event(dm_event(f"notes on {CANARY}"), "Ev-lost")
    await asyncio.wait_for(held.started.wait(), 10)

    taken_over = clock.now() + timedelta(hours=1)  # the other owner's, far from expiry
    async with slack.db.transaction() as session:
        row = (
            await session.exec(select(ps.SeenEvent).where(ps.SeenEvent.event_id == "Ev-lost"))
        ).one()
        row.claimed_at = taken_over
        session.add(row)

    def warned() -> bool:
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        return any("claim" in r.getMessage() and "taken over" in r.getMessage() for r in warnings)

    await until(warned)  # its next renewal found the claim taken over
    clock.advance(LEASE / 2)  # a renewal now would overwrite the new owner's time
    held.release.set()
    await asyncio.wait_for(held.finished.wait(), 10)
    await asyncio.sleep(2 * LEASE.total_seconds())  # renewals that should no longer come

    claim = await _claim(slack, "Ev-lost")
    assert claim is not None and not claim.done
    assert claim.claimed_at == taken_over
    loud = "\n".join(r.getMessage() + str(r.args) for r in caplog.records if r.levelno >= 20)
    assert CANARY not in loud and TOKEN not in loud
