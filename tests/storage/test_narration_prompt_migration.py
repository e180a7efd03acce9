"""Migration 0027 (which prompt a form update answered) against data, on both engines: updates
kept before it stay, with no prompt, and are never taken for a repeat; after it, only the same
prompt's update is; the downgrade drops only that column."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from narrate_bot.storage import update_posts
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0026_follow_digests"


async def _update_at_0026(db: Database) -> dict[str, int]:
    ids = await _workspace(db, BEFORE)
    at = START.astimezone(UTC)
    ids["narration"] = await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, created_at) VALUES (:t, :p, :c, 1, 'prompt_reply', 'channel', 'done', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=at,
    )
    return ids


async def _repeat(db: Database, ids: dict[str, int], schedule_id: int) -> int | None:
    async with db.transaction() as session:
        return await update_posts.repeat_of(
            session,
            person_id=ids["person"],
            channel_pk=ids["channel"],
            schedule_id=schedule_id,
            text="done",
            source="prompt_reply",
            since=START.astimezone(UTC) - timedelta(minutes=2),
        )


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _update_at_0026(db)
    await upgrade(db)
    await check(db)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT ordinal, prompt_schedule_id FROM narration"))
        assert [(r.ordinal, r.prompt_schedule_id) for r in rows] == [(1, None)]
    assert await _repeat(db, ids, 7) is None  # kept before: nobody can tell which prompt
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE narration SET prompt_schedule_id = 7"))
    assert await _repeat(db, ids, 7) == 1
    assert await _repeat(db, ids, 8) is None  # another prompt's "done"

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, ordinal, text FROM narration"))
        assert [(r.id, r.ordinal, r.text) for r in rows] == [(ids["narration"], 1, "done")]
        columns = await conn.run_sync(
            lambda sync: [c["name"] for c in sync.dialect.get_columns(sync, "narration")]
        )
        assert "prompt_schedule_id" not in columns
    await upgrade(db)
    await check(db)
    assert await _repeat(db, ids, 7) is None
