"""Migration 0048 (edit refusals noted per row) against data, on both engines: a message
quoting narrations keeps its place and its wait through up, down and up again, its first refusal
is noted and only that one counts as first, and ``alembic check`` is clean."""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import narration_copies as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows

BEFORE = "0047_quotes_follow_old_edits"


async def _copy(db: Database, tenant: int, person: int) -> int:
    at = START.astimezone(UTC)
    return await _insert(
        db,
        "INSERT INTO narration_copy"
        " (tenant_id, person_id, kind, message_id, post, posted_at, retry_at, attempts)"
        " VALUES (:t, :p, 'follow_digest', '1.2', '{\"text\": \"hi\"}', :at, :at, 3)",
        t=tenant,
        p=person,
        at=at,
    )


async def _refused(db: Database, copy_id: int) -> bool:
    async with db.transaction() as session:
        return await store.refused(
            session, copy_id=copy_id, at=START, retry_at=START + timedelta(days=7)
        )


async def test_rows_keep_their_wait_and_note_their_first_refusal(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    copy_id = await _copy(db, ids["tenant"], ids["person"])
    await upgrade(db)
    await check(db)
    assert await _rows(db, "SELECT attempts, refused_at FROM narration_copy") == [(3, None)]
    assert await _refused(db, copy_id) is True
    assert await _refused(db, copy_id) is False  # logged once

    await _downgrade(db, BEFORE)
    assert len(await _rows(db, "SELECT id FROM narration_copy")) == 1
    await upgrade(db)
    await check(db)
    assert await _rows(db, "SELECT refused_at FROM intro_post") == []
    assert await _rows(db, "SELECT attempts, refused_at FROM narration_copy") == [(3, None)]
    assert await _refused(db, copy_id) is True
