"""Slack's retry of an event this process already claimed is dropped before any statement.

Slack retries an event whose 200 came late (three in ten in a storm), and the retry mostly lands
on the process that took the first delivery. Its claim losing in the database cost two write
transactions, which on SQLite queue behind every other writer; this process knows the answer.
Retries it doesn't know about (another replica's, a crash's) still go to the database claim
(tests/adapters/slack/test_reliability.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlalchemy import event

from tests.adapters.slack.conftest import SlackEnv, eventually, until

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def _dm(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "channel": "D1",
        "text": text,
        "ts": "1763800000.000401",
    }


def _noted(slack: SlackEnv) -> int:
    return sum("Noted as #" in json.dumps(c.params) for c in slack.fake.called("chat.postMessage"))


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
    status, _, _ = await slack.event(_dm("shipped the ledger importer"), "Ev-done")
    assert status == 200
    await until(lambda: _noted(slack) == 1)
    await slack.adapter.drain()
    with _Statements(slack) as seen:
        status, _, _ = await slack.event(_dm("shipped the ledger importer"), "Ev-done", **RETRY)
        assert status == 200  # acked, as every delivery is
        await until(lambda: _dropped(caplog))
        await slack.adapter.drain()
    assert seen == []
    assert await _stored(slack) == ["shipped the ledger importer"]
    assert _noted(slack) == 1


async def test_a_retry_while_its_first_delivery_works_here_claims_nothing(slack, caplog):
    """The first delivery's work is still running (its Web API call held) when Slack retries:
    the retry is acked, then dropped without asking the database whose claim it is."""
    caplog.set_level(logging.DEBUG, logger="narrate_bot_adapters.slack.dedupe")
    held = slack.fake.holds["users.info"] = asyncio.Event()
    status, _, _ = await slack.event(_dm("reviewed the billing RFC"), "Ev-busy")
    assert status == 200
    await until(lambda: any(c.method == "users.info" for c in slack.fake.calls))
    with _Statements(slack) as seen:
        status, _, _ = await slack.event(_dm("reviewed the billing RFC"), "Ev-busy", **RETRY)
        assert status == 200  # not held by the first delivery's work
        held.set()
        await until(lambda: _dropped(caplog) and _noted(slack) == 1)
        await slack.adapter.drain()
    claims = [
        s for s in seen if "seen_event" in s and s.lstrip().upper().startswith(("INSERT", "SELECT"))
    ]
    assert claims == []  # the first delivery only marks its own claim done
    assert any("seen_event" in s and s.lstrip().upper().startswith("UPDATE") for s in seen)

    async def once() -> bool:
        return await _stored(slack) == ["reviewed the billing RFC"]

    await eventually(once)
    assert _noted(slack) == 1
