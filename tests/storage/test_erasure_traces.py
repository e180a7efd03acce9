"""What was edited away, deleted or erased leaves no readable trace: not in the full-text index's
own storage, not in the database file, not in SQLite's write-ahead log while the bot runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.fulltext import index_has_token


def _files(db: Database) -> list[Path]:
    database = db.engine.url.database
    assert database is not None
    return [Path(database + suffix) for suffix in ("", "-wal") if Path(database + suffix).exists()]


async def _fts_blocks_holding(db: Database, needle: bytes) -> int:
    """FTS5 keeps its index in ``narration_fts_data`` blobs; the vocabulary view only lists
    terms that are still live, so a stale segment is invisible to it but readable here."""
    async with db.engine.connect() as conn:
        blocks = (await conn.execute(text("SELECT block FROM narration_fts_data"))).scalars()
        return sum(1 for block in blocks if block and needle in bytes(block))


async def test_an_edit_leaves_no_trace_of_the_old_text_in_the_index(chat, db):
    for i in range(3):
        await chat.say(f"bob: /narrate filler narration number {i} about terraform")
    await chat.say("alice: /narrate quokkaformation password hunter2 rollout")
    assert "Updated #1." in await chat.say("alice: /narrate edit 1 wombat rollout")
    async with db.transaction() as session:
        assert not await index_has_token(session, db.dialect, "quokkaform")
        assert not await index_has_token(session, db.dialect, "hunter2")
        assert await index_has_token(session, db.dialect, "wombat")
    assert "couldn't find anyone" in await chat.say("zoe: /narrate who hunter2")
    if db.dialect != "sqlite":
        return  # the stored tsvector is recomputed with the row (checked above via ts_stat)
    assert await _fts_blocks_holding(db, b"quokkaform") == 0
    assert await _fts_blocks_holding(db, b"hunter2") == 0
    await db.dispose()  # closing checkpoints the log into the file: read what the disk keeps
    for path in _files(db):
        content = path.read_bytes()
        assert b"hunter2" not in content and b"quokkaform" not in content, path.name


def _on_disk(db: Database, needle: bytes) -> list[str]:
    """The SQLite files (database and write-ahead log) that hold ``needle``, read while the bot
    still runs: that is when a curious admin, or a backup of the folder, would read them."""
    return [path.name for path in _files(db) if needle in path.read_bytes()]


async def test_forget_me_leaves_no_erased_text_in_the_write_ahead_log(chat, db):
    await chat.say(
        "alice: /narrate zanzibarquux ledger migration",
        "alice in dm: /narrate private musings on xylophonics",
        "carol: /narrate kafka streams for the launch",
    )
    if db.dialect == "sqlite":
        assert _on_disk(db, b"zanzibarquux") == ["narrate.db-wal"]  # the test can see it
    await chat.say("alice: /narrate forget-me")
    assert "erased everything" in await chat.say("alice: /narrate forget-me confirm")
    if db.dialect != "sqlite":
        return  # PostgreSQL: dead tuples until (auto)vacuum, as the README says
    assert _on_disk(db, b"zanzibarquux") == []
    assert _on_disk(db, b"xylophonics") == []
    assert "@carol" in await chat.say("zoe: /narrate who kafka")  # the others' data is intact


async def test_delete_and_edit_leave_no_old_text_in_the_write_ahead_log(chat, db):
    await chat.say("alice: /narrate quokkaformation rollout", "alice: /narrate hunter2 notes")
    await chat.say("alice: /narrate delete 1", "alice: /narrate edit 2 wombat notes")
    if db.dialect != "sqlite":
        return
    assert _on_disk(db, b"quokkaform") == []
    assert _on_disk(db, b"hunter2") == []
    assert "wombat notes" in await chat.say("alice: /narrate mine")
