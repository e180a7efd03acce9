"""Migration 0039 (orphaned update posts given up for good) against data, on both engines: up,
down and up again with a given-up place and one still to try, and the wake-up's probe reading
only the latter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from narrate_bot.storage import orphan_posts as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows, _run

BEFORE = "0038_pending_actions"


async def _place(db: Database, tenant: int, message_id: str) -> int:
    return await _insert(
        db,
        "INSERT INTO update_post_orphan (tenant_id, channel_id, thread_of, message_id, attempts)"
        " VALUES (:t, 'C1', '1.000001', :m, 0)",
        t=tenant,
        m=message_id,
    )


async def _due(db: Database, now: datetime = START) -> list[str]:
    async with db.snapshot() as session:
        found = await store.due(session, now=now, platforms=["slack"], limit=10)
    return [orphan.row.message_id for orphan in found]


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _place(db, ids["tenant"], "1.2")
    await upgrade(db)
    await check(db)
    refused = await _place(db, ids["tenant"], "1.3")
    async with db.transaction() as session:
        at = START.astimezone(UTC)
        await store.refused(session, orphan_id=refused, at=at, retry_at=at + timedelta(days=7))
    assert await _due(db) == ["1.2"]

    await _downgrade(db, BEFORE)
    # The older code tries every place again, the given-up one too.
    assert sorted(r[0] for r in await _rows(db, "SELECT message_id FROM update_post_orphan")) == [
        "1.2",
        "1.3",
    ]
    await upgrade(db)
    await check(db)
    # Put off a week by its refusal (migration 0043: refusals are tried weekly).
    assert sorted(await _due(db, START + timedelta(days=8))) == ["1.2", "1.3"]
    await _run(db, "DELETE FROM tenant WHERE id = :t", t=ids["tenant"])
    assert await _rows(db, "SELECT id FROM update_post_orphan") == []
