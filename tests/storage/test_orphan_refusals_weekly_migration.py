"""Migration 0043 (refused orphaned posts tried weekly) against data, on both engines: a place
given up before it is due at once after the upgrade (one try, then weekly), down and up again
keep every place, and ``alembic check`` is clean."""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import orphan_posts as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows

BEFORE = "0042_dm_answers_by_user_id"


async def _place(db: Database, tenant: int, message_id: str, *, refused: bool) -> int:
    at = START.astimezone(UTC)
    return await _insert(
        db,
        "INSERT INTO update_post_orphan"
        " (tenant_id, channel_id, thread_of, message_id, attempts, retry_at, refused_at)"
        " VALUES (:t, 'C1', '1.000001', :m, 1, :lease, :refused)",
        t=tenant,
        m=message_id,
        lease=at - timedelta(hours=1),  # the lease of the try that was refused
        refused=at - timedelta(hours=1) if refused else None,
    )


async def _due(db: Database) -> list[str]:
    async with db.snapshot() as session:
        found = await store.due(session, now=START, platforms=["slack"], limit=10)
    return sorted(orphan.row.message_id for orphan in found)


async def test_given_up_places_are_tried_again_after_the_upgrade(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _place(db, ids["tenant"], "1.2", refused=False)
    await _place(db, ids["tenant"], "1.3", refused=True)
    await upgrade(db)
    await check(db)
    assert await _due(db) == ["1.2", "1.3"]
    assert await _rows(db, "SELECT message_id FROM update_post_orphan WHERE retry_at IS NULL") == [
        ("1.3",)
    ]

    await _downgrade(db, BEFORE)
    assert len(await _rows(db, "SELECT id FROM update_post_orphan")) == 2
    await upgrade(db)
    await check(db)
    assert await _due(db) == ["1.2", "1.3"]
