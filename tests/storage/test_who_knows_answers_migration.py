"""Migration 0024 (who-knows answers, and whether each helped) against data, on both engines:
what was stored before it stays, the new table takes answers and "This helped", and the
downgrade drops only that table (the figures with it), then the upgrade brings it back empty."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from narrate_bot.storage import who_knows_repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _workspace

BEFORE = "0023_schedule_question"


async def _workspace_at_0023(db: Database) -> dict[str, int]:
    return await _workspace(db, BEFORE, channel=None)


async def _helped(db: Database, tenant_id: int) -> who_knows_repo.Helped:
    async with db.snapshot() as session:
        return await who_knows_repo.helped(session, tenant_id=tenant_id)


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace_at_0023(db)
    await upgrade(db)
    await check(db)
    at = START.astimezone(UTC)
    async with db.transaction() as session:
        for token, asker in (("wk000000000001", "U1"), ("wk000000000002", "U2")):
            await who_knows_repo.record(
                session, tenant_id=ids["tenant"], token=token, asker_user_id=asker, now=at
            )
        # The same answer again (a replica, a retry) is kept once.
        await who_knows_repo.record(
            session, tenant_id=ids["tenant"], token="wk000000000001", asker_user_id="U1", now=at
        )
        answer = await who_knows_repo.find(session, tenant_id=ids["tenant"], token="wk000000000001")
        assert answer is not None and answer.id is not None
        later = at + timedelta(minutes=5)
        assert await who_knows_repo.mark_helped(session, answer_id=answer.id, now=later)
        assert not await who_knows_repo.mark_helped(session, answer_id=answer.id, now=later)
    assert await _helped(db, ids["tenant"]) == who_knows_repo.Helped(answers=2, helped=1, askers=2)

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        people = await conn.execute(text("SELECT id, user_id FROM person"))
        assert [(r.id, r.user_id) for r in people] == [(ids["person"], "U1")]
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        assert "who_knows_answer" not in tables
    await upgrade(db)
    await check(db)
    assert await _helped(db, ids["tenant"]) == who_knows_repo.Helped(answers=0, helped=0, askers=0)
