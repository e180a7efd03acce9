"""Migration 0038 (button commands kept under a key, ``pending_action``) against data, on both
engines: up, a row that goes with its workspace, down (only the table goes), and up again with
the workspace's rows still there; ``alembic check`` clean at head."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0037_quotes_outlive_old_deletes"


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync)))


async def _count(db: Database, table: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _kept(db: Database, tenant: int, key: str) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO pending_action (tenant_id, key, user_id, command, created_at)"
                " VALUES (:t, :k, 'U1', '/narrate note words', :at)"
            ),
            {"t": tenant, "k": key, "at": START.astimezone(UTC)},
        )


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    other = await _insert(
        db,
        "INSERT INTO tenant (platform, external_id, name, created_at)"
        " VALUES ('discord', '2000', 'Guild', :at)",
        at=START.astimezone(UTC),
    )
    await upgrade(db)
    await check(db)
    await _kept(db, ids["tenant"], "k1")
    await _kept(db, other, "k1")  # a key is the workspace's own
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM tenant WHERE id = :t"), {"t": other})
    assert await _count(db, "pending_action") == 1  # gone with its workspace

    await _downgrade(db, BEFORE)
    tables = await _tables(db)
    assert "pending_action" not in tables and {"tenant", "person", "narration"} <= tables
    assert await _count(db, "person") == 1

    await upgrade(db)
    await check(db)
    assert await _count(db, "pending_action") == 0
    await _kept(db, ids["tenant"], "k2")  # the schema takes rows again
    assert await _count(db, "pending_action") == 1
