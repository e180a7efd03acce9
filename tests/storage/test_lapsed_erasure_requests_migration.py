"""Migration 0031 (an index to clear lapsed forget-me requests) against data, on both engines:
a request that lapsed before it is kept by the upgrade itself and cleared by the first wake-up
after it; the downgrade drops only the index."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from narrate_bot.storage import privacy
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _workspace

BEFORE = "0030_update_post_orphans"


async def _indexes(db: Database, table: str) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {i["name"] for i in sync.dialect.get_indexes(sync, table)}
        )


async def _requested(db: Database) -> list[object]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT erase_requested_at FROM person ORDER BY id"))
        return [r.erase_requested_at for r in rows]


async def test_a_request_that_lapsed_before_the_upgrade_is_cleared_after_it(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    at = START.astimezone(UTC)
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE person SET erase_requested_at = :at WHERE id = :p"),
            {"at": at - timedelta(days=30), "p": ids["person"]},
        )
    await upgrade(db)
    await check(db)
    assert "ix_person_erase_requested_at" in await _indexes(db, "person")
    assert (await _requested(db))[0] is not None  # kept by the upgrade itself...
    async with db.transaction() as session:
        await privacy.lapse_erasure_requests(session, before=at - timedelta(minutes=10))
    assert await _requested(db) == [None]  # ...and cleared by the first wake-up

    await _downgrade(db, BEFORE)
    assert "ix_person_erase_requested_at" not in await _indexes(db, "person")
    assert (await _requested(db))[0] is None
    await upgrade(db)
    await check(db)
