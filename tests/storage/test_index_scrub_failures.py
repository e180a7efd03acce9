"""When the SQLite index scrub fails or is cut short, the person and the log hear of what really
happened, and what is left is finished later.

FTS5's automerge, off while the scrub runs, used to be turned back on in a ``finally``. With the
database locked by another process at that moment, that raised "database is locked" itself: a
delete whose scrub had merged everything failed anyway, and a step's own error (a full disk, say)
was replaced by the lock's. A scrub cancelled midway (the process stopping) turned automerge back
on too, which is the only sign the next start has that a scrub was cut short, so the deleted word
stayed in the index's blocks. (PostgreSQL has no scrub: SQLite only.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from narrate_bot.storage import database as database_module
from narrate_bot.storage import index_scrub
from narrate_bot.storage.database import Database
from narrate_bot_adapters.serve import prepare_database
from tests.helpers import Chat
from tests.storage.test_index_scrub import _blocks_holding, _fill, _path
from tests.storage.test_index_scrub_stalls import _automerge

SQLITE = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


@pytest.fixture
def another_process(db: Database) -> Iterator[sqlite3.Connection]:
    """A connection of another process, which takes the write lock when told to."""
    conn = sqlite3.connect(_path(db), isolation_level=None, timeout=0)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


async def _short_busy_timeout(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting for a held lock gives up after 0.2 s instead of 10 s: the same failure, sooner."""
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 200)
    await db.engine.dispose()  # connections are made again, with the new timeout


async def _alice_narrated_then_buried(chat: Chat, db: Database) -> None:
    await chat.say("alice: /narrate quokkaformation rollout", "carol: /narrate kafka streams")
    await _fill(db, "carol", narrations=600, batches=6)
    assert _blocks_holding(_path(db), b"quokkaform") > 0


@SQLITE
async def test_a_delete_scrubbed_to_the_end_is_not_failed_by_a_lock_taken_after_it(
    chat: Chat,
    db: Database,
    another_process: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _alice_narrated_then_buried(chat, db)
    await _short_busy_timeout(db, monkeypatch)
    step = index_scrub._step

    async def step_then_another_process_writes(database: Database, pages: int, **kw: Any) -> Any:
        result = await step(database, pages, **kw)
        if not result[2]:  # the merge is done; another process takes the lock at once
            another_process.execute("BEGIN IMMEDIATE")
        return result

    monkeypatch.setattr(index_scrub, "_step", step_then_another_process_writes)
    with caplog.at_level(logging.WARNING, logger="narrate_bot.storage.index_scrub"):
        out = await chat.say("alice: /narrate delete 1")
    another_process.execute("ROLLBACK")

    assert "Deleted #1. It's gone from search too." in out
    assert _blocks_holding(_path(db), b"quokkaform") == 0
    [warned] = [r for r in caplog.records if r.name == "narrate_bot.storage.index_scrub"]
    assert warned.levelno == logging.WARNING
    assert "automerge back on failed (OperationalError)" in warned.getMessage()
    assert "quokka" not in warned.getMessage()
    # Left off for now; the next scrub turns it back on.
    assert _automerge(_path(db)) == 0
    monkeypatch.setattr(index_scrub, "_step", step)
    assert "Deleted #1." in await chat.say("carol: /narrate delete 1")
    assert _automerge(_path(db)) == 4


@SQLITE
async def test_a_failed_step_is_the_error_raised_not_the_lock_met_after_it(
    chat: Chat,
    db: Database,
    another_process: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _alice_narrated_then_buried(chat, db)
    await _short_busy_timeout(db, monkeypatch)
    monkeypatch.setattr(index_scrub, "STEP_PAGES", 1)
    step = index_scrub._step
    steps: list[int] = []

    async def second_step_fails(database: Database, pages: int, **kw: Any) -> Any:
        steps.append(pages)
        if len(steps) == 2:  # the disk fills up, and another process writes meanwhile
            another_process.execute("BEGIN IMMEDIATE")
            full = sqlite3.OperationalError("database or disk is full")
            raise OperationalError("INSERT INTO narration_fts", None, full)
        return await step(database, pages, **kw)

    monkeypatch.setattr(index_scrub, "_step", second_step_fails)
    with pytest.raises(OperationalError) as raised:
        await index_scrub.scrub(db)
    another_process.execute("ROLLBACK")
    assert "database or disk is full" in str(raised.value)
    # Automerge stayed off: the next start finishes what the failed run left.
    assert await index_scrub.interrupted(db)


@SQLITE
async def test_a_scrub_cancelled_midway_is_finished_by_the_next_start(
    chat: Chat, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _alice_narrated_then_buried(chat, db)
    monkeypatch.setattr(index_scrub, "STEP_PAGES", 1)
    step = index_scrub._step
    stepped = asyncio.Event()

    async def step_then_stop(database: Database, pages: int, **kw: Any) -> Any:
        await step(database, pages, **kw)
        stepped.set()
        await asyncio.Event().wait()  # the process is stopping: cancelled here

    monkeypatch.setattr(index_scrub, "_step", step_then_stop)
    deleting = asyncio.create_task(chat.say("alice: /narrate delete 1"))
    await asyncio.wait_for(stepped.wait(), 30)
    deleting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await deleting
    path = _path(db)
    assert _blocks_holding(path, b"quokkaform") > 0  # cut short, the word still there
    assert _automerge(path) == 0  # which tells the next start so
    monkeypatch.setattr(index_scrub, "_step", step)
    await db.dispose()
    restarted = Database(f"sqlite:///{path}")
    try:
        await prepare_database(restarted)
    finally:
        await restarted.dispose()
    assert _blocks_holding(path, b"quokkaform") == 0
    assert _automerge(path) == 4
