"""Slack's retry of an event this process already claimed is dropped before any statement.

Slack retries an event whose 200 came late (three in ten in a storm), and the retry mostly lands
on the process that took the first delivery. Its claim losing in the database cost two write
transactions, which on SQLite queue behind every other writer; this process knows the answer.
Retries it doesn't know about (another replica's, a crash's) still go to the database claim
(tests/adapters/slack/test_reliability.py), in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from tests.adapters.slack.conftest import RETRY, SlackEnv, dm_event, eventually, noted, until


def _dropped(caplog: pytest.LogCaptureFixture) -> bool:
    return any("already handled" in r.getMessage() for r in caplog.records)


class _Statements:
    """Every SQL statement the app's engine runs while recording."""

    def __init__(self, slack: SlackEnv) -> None:
        self.engine = slack.db.engine.sync_engine
        self.seen: list[str] = []

    def _record(self, conn, cursor, statement, params, context, executemany) -> None:
        self.seen.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


async def _stored(slack: SlackEnv) -> list[str]:
    return [n.text for n in await slack.narrations()]


async def test_a_retry_of_an_event_done_here_runs_no_statement(slack, caplog):
    caplog.set_level(logging.DEBUG, logger="narrate_bot_adapters.slack.dedupe")
    status, _, _ = await slack.event(dm_event("shipped the ledger importer"), "Ev-done")
    assert status == 200
    await until(lambda: noted(slack) == 1)
    await slack.adapter.drain()
    with _Statements(slack) as seen:
        status, _, _ = await slack.event(
            dm_event("shipped the ledger importer"), "Ev-done", **RETRY
        )
        assert status == 200  # acked, as every delivery is
        await until(lambda: _dropped(caplog))
        await slack.adapter.drain()
    assert seen == []
    assert await _stored(slack) == ["shipped the ledger importer"]
    assert noted(slack) == 1


async def test_a_retry_while_its_first_delivery_works_here_claims_nothing(slack, caplog):
    """The first delivery's work is still running (its Web API call held) when Slack retries:
    the retry is acked, then dropped without asking the database whose claim it is."""
    caplog.set_level(logging.DEBUG, logger="narrate_bot_adapters.slack.dedupe")
    held = slack.fake.holds["users.info"] = asyncio.Event()
    status, _, _ = await slack.event(dm_event("reviewed the billing RFC"), "Ev-busy")
    assert status == 200
    await until(lambda: any(c.method == "users.info" for c in slack.fake.calls))
    with _Statements(slack) as seen:
        status, _, _ = await slack.event(dm_event("reviewed the billing RFC"), "Ev-busy", **RETRY)
        assert status == 200  # not held by the first delivery's work
        held.set()
        await until(lambda: _dropped(caplog) and noted(slack) == 1)
        await slack.adapter.drain()
    claims = [
        s for s in seen if "seen_event" in s and s.lstrip().upper().startswith(("INSERT", "SELECT"))
    ]
    assert claims == []  # the first delivery only marks its own claim done
    assert any("seen_event" in s and s.lstrip().upper().startswith("UPDATE") for s in seen)

    async def once() -> bool:
        return await _stored(slack) == ["reviewed the billing RFC"]

    await eventually(once)
    assert noted(slack) == 1


async def test_a_retry_of_another_workers_live_claim_costs_one_transaction(slack, caplog):
    """Another replica holds the claim (its work running): a retry here asks the database once,
    and the claim stays that replica's."""
    caplog.set_level(logging.DEBUG, logger="narrate_bot_adapters.slack.dedupe")
    await slack.event(dm_event("first words here"), "Ev-first")  # this workspace is known here
    await until(lambda: noted(slack) == 1)
    await slack.adapter.drain()
    elsewhere = datetime.now(UTC) - timedelta(seconds=1)
    async with slack.db.transaction() as s:
        tenant = await repo.ensure_tenant(
            s, platform="slack", external_id="T1", name="", now=datetime.now(UTC)
        )
        assert tenant.id is not None
        s.add(ps.SeenEvent(tenant_id=tenant.id, event_id="Ev-elsewhere", claimed_at=elsewhere))
    begun: list[object] = []

    def record(conn: object) -> None:
        begun.append(conn)

    event.listen(slack.db.engine.sync_engine, "begin", record)
    try:
        status, _, _ = await slack.event(dm_event("handled elsewhere"), "Ev-elsewhere", **RETRY)
        assert status == 200
        await until(lambda: _dropped(caplog))
        await slack.adapter.drain()
    finally:
        event.remove(slack.db.engine.sync_engine, "begin", record)
    assert len(begun) == 1
    async with slack.db.transaction() as s:
        row = (
            await s.exec(select(ps.SeenEvent).where(ps.SeenEvent.event_id == "Ev-elsewhere"))
        ).one()
    claimed = row.claimed_at
    claimed = claimed.replace(tzinfo=UTC) if claimed.tzinfo is None else claimed
    assert (claimed, row.done) == (elsewhere, False)  # still the other worker's
    assert await _stored(slack) == ["first words here"]
