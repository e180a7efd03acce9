"""Deleted text leaves SQLite's full-text index in short merge steps after the delete commits, so
other people's commands are not locked out while it goes, and it is gone before the reply."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session
from sqlmodel import select

from narrate_bot.storage import index_scrub, privacy
from narrate_bot.storage.database import Database
from narrate_bot.storage.fulltext import index_has_token
from narrate_bot.storage.tables import Narration, Person
from tests.helpers import Chat

FILLER_WORDS = [f"filler{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}word" for i in range(600)]


async def _fill(db: Database, user_id: str, *, narrations: int, batches: int) -> None:
    """Someone else's narrations, committed in ``batches`` (each commit adds index segments), so
    the index is big enough that a small merge step takes many steps."""
    async with db.transaction() as session:
        person = (await session.exec(select(Person).where(Person.user_id == user_id))).one()
        channel_pk = (
            await session.exec(select(Narration.channel_pk).where(Narration.person_id == person.id))
        ).first()
    per_batch = narrations // batches
    for batch in range(batches):
        rows: list[dict[str, Any]] = [
            {
                "tenant_id": person.tenant_id,
                "person_id": person.id,
                "channel_pk": channel_pk,
                "ordinal": 1000 + batch * per_batch + k,
                "source": "command",
                "audience": "channel",
                "text": " ".join(
                    FILLER_WORDS[((batch * per_batch + k) * 7 + j) % 600] for j in range(0, 40, 4)
                ),
                "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            }
            for k in range(per_batch)
        ]
        async with db.engine.begin() as conn:
            await conn.execute(insert(Narration), rows)


def _path(db: Database) -> str:
    assert db.engine.url.database is not None
    return db.engine.url.database


def _blocks_holding(path: str, needle: bytes) -> int:
    """FTS5's own storage: segment blocks and the terms of its page index. The vocabulary view
    hides a deleted row's tokens at once; these keep them until a merge writes them again."""
    with sqlite3.connect(path, timeout=0) as conn:
        blocks = [b for (b,) in conn.execute("SELECT block FROM narration_fts_data") if b]
        terms = [t for (t,) in conn.execute("SELECT term FROM narration_fts_idx") if t]
    return sum(needle in bytes(b) for b in blocks + terms)


async def _gone(db: Database, token: str) -> None:
    async with db.transaction() as session:
        assert not await index_has_token(session, db.dialect, token)
    if db.dialect == "sqlite":
        assert _blocks_holding(_path(db), token.encode()) == 0


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Merge steps of one page: a test index of a few thousand narrations takes dozens."""
    monkeypatch.setattr(index_scrub, "STEP_PAGES", 1)


@pytest.fixture
def after_each_commit() -> Iterator[list[Any]]:
    """Callables run right after every ORM commit (the lock has just been released)."""
    hooks: list[Any] = []

    def run(_session: Session) -> None:
        for hook in hooks:
            hook()

    event.listen(Session, "after_commit", run)
    yield hooks
    event.remove(Session, "after_commit", run)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # PostgreSQL merges nothing
async def test_others_write_without_waiting_while_a_delete_is_scrubbed(
    chat: Chat, db: Database, small_steps: None, after_each_commit: list[Any]
) -> None:
    await chat.say(
        "alice: /narrate quokkaformation rollout", "carol: /narrate kafka mangosteen streams"
    )
    await _fill(db, "carol", narrations=6000, batches=12)
    path = _path(db)
    with sqlite3.connect(path) as conn:
        carol, tenant, channel = conn.execute(
            "SELECT person_id, tenant_id, channel_pk FROM narration WHERE text LIKE 'kafka%'"
        ).fetchone()
    written: list[str] = []

    def another_writer() -> None:
        """Carol's narrations, stored by a writer that does not wait for the lock at all, at
        each moment the delete has committed but its text is still in the index's blocks."""
        with sqlite3.connect(path, timeout=0, isolation_level=None) as conn:
            deleted = conn.execute(
                "SELECT count(*) FROM narration WHERE text LIKE '%quokka%'"
            ).fetchone()[0]
            if deleted or not _blocks_holding(path, b"quokkaform"):
                return  # before the delete's commit, or after the scrub
            n = len(written)
            conn.execute("BEGIN IMMEDIATE")  # fails at once ("database is locked") if held
            if n == 2:  # an edit, mid-merge: the update trigger's delete and insert
                conn.execute(
                    "UPDATE narration SET text = 'kiwifruit edited' WHERE text LIKE 'kafka%'"
                )
            else:
                conn.execute(
                    "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source,"
                    " audience, text, created_at) VALUES (?, ?, ?, ?, 'command', 'channel', ?,"
                    " '2026-11-23 08:00:00.000000')",
                    (tenant, carol, channel, 90_000 + n, f"kiwifruit note {n}"),
                )
            conn.execute("COMMIT")
            written.append(f"#{n}")

    after_each_commit.append(another_writer)
    out = await chat.say("alice: /narrate delete 1")
    after_each_commit.clear()

    assert "Deleted #1. It's gone from search too." in out
    assert len(written) >= 5, "no other writer got the lock while the delete was scrubbed"
    await _gone(db, "quokkaform")
    assert "@carol" in await chat.say("zoe: /narrate who kiwifruit")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO narration_fts(narration_fts) VALUES ('integrity-check')")
        # Automerge (off while the merge ran) is back on for everyone's next inserts.
        [(automerge,)] = conn.execute("SELECT v FROM narration_fts_config WHERE k = 'automerge'")
        assert automerge == 4
    # The edit committed mid-merge; its own command's clear_traces scrubs what it replaced.
    await privacy.clear_traces(db)
    await _gone(db, "mangosteen")


async def _narrated_then_buried(chat: Chat, db: Database) -> None:
    """Alice's secrets first, then enough of others' narrations that they sit in old segments."""
    await chat.say(
        "alice: /narrate quokkaformation rollout",
        "alice: /narrate hunter2 notes",
        "alice in dm: /narrate zanzibarquux salary",
        "carol: /narrate kafka streams",
        "bob: /narrate terraform modules",
    )
    await _fill(db, "carol", narrations=600, batches=6)
    if db.dialect == "sqlite":
        assert _blocks_holding(_path(db), b"quokkaform") > 0  # the check can see it


async def test_delete_edit_and_forget_me_leave_nothing_in_the_index_blocks(
    chat: Chat, db: Database, small_steps: None
) -> None:
    await _narrated_then_buried(chat, db)
    assert "gone from search too" in await chat.say("alice: /narrate delete 1")
    await _gone(db, "quokkaform")
    assert "Updated #2." in await chat.say("alice: /narrate edit 2 wombat notes")
    await _gone(db, "hunter2")
    await chat.say("bob: /narrate forget-me")
    assert "erased everything" in await chat.say("bob: /narrate forget-me confirm")
    await _gone(db, "terraform")
    await chat.say("alice: /narrate forget-me")
    assert "erased everything" in await chat.say("alice: /narrate forget-me confirm")
    await _gone(db, "zanzibarquux")
    await _gone(db, "wombat")
    assert "@carol" in await chat.say("zoe: /narrate who kafka")


async def test_deletes_at_once_share_merges_and_each_reply_finds_its_text_gone(
    bot: Any,
    clock: Any,
    db: Database,
    tmp_path: Path,
    small_steps: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chats = [Chat.create(bot, clock, export_dir=tmp_path / f"exports{i}") for i in range(3)]
    await chats[0].say(
        "alice: /narrate quokkaformation rollout",
        "bob: /narrate hunter2 notes",
        "dave: /narrate zanzibarquux ledger",
        "carol: /narrate kafka streams",
    )
    await _fill(db, "carol", narrations=600, batches=6)
    arrived: list[int] = []
    all_arrived = asyncio.Event()
    scrub, pause = index_scrub.scrub, index_scrub.yield_to_writers

    async def counted_scrub(database: Database, **kwargs: Any) -> None:
        arrived.append(1)
        if len(arrived) == 3:
            all_arrived.set()
        await scrub(database, **kwargs)

    async def held_pause(database: Database, seconds: float) -> None:
        # The first run waits, between two of its steps, until all three deletes have
        # committed and asked for a scrub: they arrive while a run is under way.
        await asyncio.wait_for(all_arrived.wait(), 60)
        await pause(database, seconds)

    monkeypatch.setattr(index_scrub, "scrub", counted_scrub)
    monkeypatch.setattr(index_scrub, "yield_to_writers", held_pause)
    before = index_scrub.completed_runs(db)
    replies = await asyncio.gather(
        chats[0].say("alice: /narrate delete 1"),
        chats[1].say("bob: /narrate delete 1"),
        chats[2].say("dave: /narrate delete 1"),
    )
    assert all("gone from search too" in r for r in replies), replies
    for token in ("quokkaform", "hunter2", "zanzibarquux"):
        await _gone(db, token)
    if db.dialect == "sqlite":  # PostgreSQL's index has nothing to merge
        assert len(arrived) == 3
        # The run under way when the others arrived had begun before their commits; the two
        # of them share the next one.
        assert index_scrub.completed_runs(db) - before == 2
    assert "@carol" in await chats[0].say("zoe: /narrate who kafka")
