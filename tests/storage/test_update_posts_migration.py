"""Migration 0025 (where a form update was posted in its prompt's thread) against data, on both
engines: narrations stored before it stay, with no post; the new table claims one post per
narration, follows its narration when deleted, and the downgrade drops only that table."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage import update_posts
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0024_who_knows_answers"


async def _narration_at_0024(db: Database) -> dict[str, int]:
    ids = await _workspace(db, BEFORE)
    at = START.astimezone(UTC)
    for ordinal in (1, 2):
        ids[f"narration{ordinal}"] = await _insert(
            db,
            "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
            " text, created_at) VALUES (:t, :p, :c, :o, 'prompt_reply', 'channel', 'shipped', :at)",
            t=ids["tenant"],
            p=ids["person"],
            c=ids["channel"],
            o=ordinal,
            at=at,
        )
    return ids


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _narration_at_0024(db)
    await upgrade(db)
    await check(db)
    at = START.astimezone(UTC)
    async with db.transaction() as session:
        assert await update_posts.of_person(session, person_id=ids["person"]) == []
        for key in ("narration1", "narration2"):
            assert await update_posts.claim(
                session, narration_id=ids[key], channel_id="C1", thread_of="1.000001", now=at
            )
        # The same narration again (a retry, a replica) claims nothing.
        assert not await update_posts.claim(
            session, narration_id=ids["narration1"], channel_id="C1", thread_of="1.000001", now=at
        )
        assert await update_posts.keep(session, narration_id=ids["narration1"], message_id="1.2")
    async with db.transaction() as session:
        refs = await update_posts.of_person(session, person_id=ids["person"])
        assert [(r.ordinal, r.message_id) for r in refs] == [(1, "1.2"), (2, "")]
        posted = await update_posts.posted_of(session, person_id=ids["person"])
        assert list(posted) == [ids["narration1"]]
    # A narration deleted takes its post's row with it (the delete reads it first).
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM narration WHERE id = :n"), {"n": ids["narration2"]})
    async with db.transaction() as session:
        refs = await update_posts.of_person(session, person_id=ids["person"])
        assert [r.ordinal for r in refs] == [1]

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, ordinal FROM narration"))
        assert [(r.id, r.ordinal) for r in rows] == [(ids["narration1"], 1)]
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        assert "update_post" not in tables
    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        assert await update_posts.of_person(session, person_id=ids["person"]) == []
