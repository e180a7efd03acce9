"""A scheduler wake-up with nothing due (every few seconds, on every replica) must neither
take SQLite's write lock, which keeps people's commands waiting, nor read every form update's
``update_post`` row ever made to find that no post is waiting for a retry or a look."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

import pytest
from sqlalchemy import event, text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.features import update_post_retries
from narrate_bot.ports import TenantRef
from narrate_bot.replies import Post
from tests.conftest import START
from tests.held_lock import another_writer, short_busy_timeout
from tests.scheduling.support import Recorder


class Finder(Recorder):
    """A gateway that can find a lost post (as Discord's): the wake-up asks about those too."""

    async def find_post(self, tenant: TenantRef, post: Post, *, known: Sequence[str]) -> None:
        raise AssertionError("nothing is lost")


def _bot(db) -> Bot:
    clock = ManualClock(START)
    bot = Bot(db=db, clock=clock, settings=Settings())
    bot.gateways[Platform.DISCORD] = Finder(clock=clock)
    return bot


async def test_an_idle_wakeup_runs_while_another_process_writes(db, monkeypatch):
    await short_busy_timeout(db, monkeypatch)
    bot = _bot(db)
    await bot.run_due(START)  # the workspaces' default introductions slots, written once
    with another_writer(db):
        # Before, it waited for the write lock and failed with "database is locked".
        report = await bot.run_due(START + timedelta(seconds=30))
        assert (report.claimed, report.sent) == (0, 0)
        assert await update_post_retries.retry_due(bot, START + timedelta(seconds=30)) == 0


async def _explain(db, statement: str, params: object) -> str:
    async with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            return " | ".join(str(row[-1]) for row in rows.all())
        # A few rows make a scan cheapest; what matters is that the index can answer it.
        await conn.execute(text("SET enable_seqscan = off"))
        rows = await conn.exec_driver_sql("EXPLAIN " + statement, params)
        return " | ".join(str(row[0]) for row in rows.all())


@pytest.mark.parametrize("step", ["next_due", "retry_due"])
async def test_the_wakeups_update_post_reads_go_through_their_partial_indexes(db, step):
    bot = _bot(db)
    now = START.astimezone(UTC)
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, params, context, executemany) -> None:
        seen.append((statement, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        if step == "next_due":
            await update_post_retries.next_due(bot, after=None, until=now + timedelta(minutes=1))
        else:
            await update_post_retries.retry_due(bot, now)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    reads = [(s, p) for s, p in seen if "FROM update_post" in s]
    assert len(reads) == 2, seen  # when/which retry is due, when/which post to look for
    assert not [s for s, _ in seen if s.startswith("BEGIN IMMEDIATE")], seen
    indexes = ("ix_update_post_retry_at", "ix_update_post_unsure")
    if step == "retry_due":  # looks for lost posts first
        indexes = indexes[::-1]
    for (statement, params), index in zip(reads, indexes, strict=True):
        plan = await _explain(db, statement, params)
        assert index in plan and "SCAN update_post " not in plan + " ", plan
