"""Migration 0035 against data, on both engines, up, down and up again: every follower an older
replica saved without a ``follow_schedule`` row gets one (due at their follow, so the next
wake-up places it), a follow saved by plain SQL afterwards gets one from the trigger, rows
already there keep their time, and the update-post partial indexes come and go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, inspect, text
from sqlmodel.sql.sqltypes import UTCDateTime

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0034_narration_copies"
AT = START.astimezone(UTC)
INDEXES = {"ix_update_post_retry_at", "ix_update_post_unsure"}


async def _person(db: Database, ids: dict[str, int], user_id: str) -> int:
    return await _insert(
        db,
        "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
        " VALUES (:t, :u, :u, 'joined', false, :at)",
        t=ids["tenant"],
        u=user_id,
        at=AT,
    )


async def _prefer(db: Database, ids: dict[str, int], person: int, kind: str, key: str, at):
    """What every version's ``/narrate follow`` (or ``hide-me``) inserts, as plain SQL."""
    when = bindparam("at", at, type_=UTCDateTime())
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic,"
                " created_at) VALUES (:p, :kind, :k, :t, :k, :at)"
            ).bindparams(when),
            {"p": person, "kind": kind, "k": key, "t": ids["tenant"]},
        )


async def _scheduled(db: Database) -> dict[int, datetime]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person_id, due_at FROM follow_schedule").columns(due_at=UTCDateTime())
        )
        return {row[0]: row[1] for row in rows.all()}


async def _indexes(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        found = await conn.run_sync(lambda sync: inspect(sync).get_indexes("update_post"))
    return {index["name"] for index in found if index["name"]} & INDEXES


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE, channel=None)
    zoe, bo, cy = ids["person"], await _person(db, ids, "U2"), await _person(db, ids, "U3")
    # After 0029 an older replica saved zoe's two follows and no schedule row; bo follows
    # through this version (a row due next Monday); cy only hides a topic.
    await _prefer(db, ids, zoe, "follow", "kafka", AT + timedelta(hours=2))
    await _prefer(db, ids, zoe, "follow", "ledger", AT + timedelta(hours=1))
    await _prefer(db, ids, bo, "follow", "kafka", AT)
    monday = AT + timedelta(days=7)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO follow_schedule (person_id, tenant_id, due_at) VALUES (:p, :t, :d)"
            ).bindparams(bindparam("d", monday, type_=UTCDateTime())),
            {"p": bo, "t": ids["tenant"]},
        )
    await _prefer(db, ids, cy, "hide", "kafka", AT)
    assert await _indexes(db) == set()

    await upgrade(db)
    await check(db)
    # zoe is due at her first follow (the wake-up moves her on); bo keeps his Monday.
    assert await _scheduled(db) == {zoe: AT + timedelta(hours=1), bo: monday}
    assert await _indexes(db) == INDEXES
    # Saved afterwards by an older replica: the trigger adds cy's row; a hide adds none, and a
    # second follow keeps the time the follower had.
    await _prefer(db, ids, cy, "hide", "ledger", AT)
    assert cy not in await _scheduled(db)
    await _prefer(db, ids, cy, "follow", "kafka", AT + timedelta(days=2))
    await _prefer(db, ids, bo, "follow", "ledger", AT + timedelta(days=3))
    assert await _scheduled(db) == {
        zoe: AT + timedelta(hours=1),
        bo: monday,
        cy: AT + timedelta(days=2),
    }

    await _downgrade(db, BEFORE)
    assert await _indexes(db) == set()
    dee = await _person(db, ids, "U4")
    await _prefer(db, ids, dee, "follow", "kafka", AT + timedelta(days=4))
    assert dee not in await _scheduled(db)  # no trigger: as the older schema behaved

    await upgrade(db)
    await check(db)
    assert (await _scheduled(db))[dee] == AT + timedelta(days=4)
    assert await _indexes(db) == INDEXES
    # The row still goes with its person.
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM person WHERE id = :p"), {"p": dee})
    assert dee not in await _scheduled(db)
