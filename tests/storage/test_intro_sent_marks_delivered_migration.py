"""Migration 0057 (``schedule_send_marks_intro``) on both engines: whichever code records an
introduction's post as sent (an older replica's included, which marks nothing itself), the same
statement marks the introduction delivered; a payload that isn't an introduction, or isn't JSON,
marks nothing and never fails the outcome; a channel post already on record backfills its
introduction; down and up again keeps that, and ``alembic check`` is clean."""

from __future__ import annotations

import sqlite3
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.util import await_

from narrate_bot.storage import schedules as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_introduction_delivered_migration import _delivered, _round
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0056_narration_channel_index"
AT = START.astimezone(UTC)


async def _sent(db: Database, send_id: int, *, owner: str = "old-replica") -> bool:
    """Record the send as sent the way every version does (``schedules.finish``)."""
    await _run(db, "UPDATE schedule_send SET lease_owner = :o WHERE id = :i", o=owner, i=send_id)
    async with db.transaction() as session:
        return await store.finish(
            session,
            send_id=send_id,
            owner=owner,
            status=store.SENT,
            now=AT + timedelta(hours=1),
            message_id="M1",
        )


async def test_a_send_recorded_as_sent_marks_its_introduction_in_any_version(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant = ids["tenant"]
    await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'intros', 1, 2, '10:00', 'UTC', :at, :at)",
        t=tenant,
        at=AT,
    )
    await _round(db, tenant, "2026-W46", 1, "pending", queued=True)
    # #2's channel post went out (on record) but nothing marked it: an older replica's send.
    await _round(db, tenant, "2026-W47", 2, "sent")
    second = await _run(db, "SELECT id FROM introduction WHERE number = 2")
    await _insert(
        db,
        "INSERT INTO intro_post (introduction_id, channel_id, message_id, people, attempts)"
        " VALUES (:i, 'C1', 'M0', 2, 0)",
        i=second,
    )
    await _round(db, tenant, "2026-W48", 3, "pending", "pending")
    third = await _run(
        db,
        "SELECT min(ss.id) FROM schedule_send ss WHERE ss.status = 'pending'"
        " AND ss.payload IS NULL",
    )
    # Two of #3's round's sends hold what no introduction is: not JSON, and another post.
    await _run(db, "UPDATE schedule_send SET payload = 'not json {' WHERE id = :i", i=third)
    await _run(
        db,
        "UPDATE schedule_send SET payload = :p WHERE id = :i",
        i=third + 1,
        p='{"text": "Introduction #x: nobody", "to_users": ["U1"]}',
    )
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [2], "a channel post on record is delivered"

    queued = await _run(db, "SELECT id FROM schedule_send WHERE payload LIKE '%Introduction #1:%'")
    assert isinstance(queued, int)
    assert await _sent(db, queued)
    assert await _delivered(db) == [1, 2], "the send recorded as sent marked #1"
    marked = await _run(db, "SELECT delivered_at FROM introduction WHERE number = 1")
    assert marked is not None

    assert await _sent(db, third) and await _sent(db, third + 1), "the outcome never fails"
    assert await _delivered(db) == [1, 2]

    await _downgrade(db, BEFORE)
    assert await _delivered(db) == [1, 2], "marks stay"
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [1, 2]


def _without_json(dbapi_connection: Any, record: Any) -> None:
    """This connection's SQLite as if built without JSON1: its JSON functions refused."""
    driver = record.driver_connection

    def refuse(action: int, _arg1: str | None, name: str | None, *_: object) -> int:
        return (
            sqlite3.SQLITE_DENY
            if action == sqlite3.SQLITE_FUNCTION and (name or "").startswith("json")
            else 0
        )

    await_(driver._execute(driver._conn.set_authorizer, refuse))


async def test_an_sqlite_without_json_functions_stops_the_upgrade_saying_why(empty_db):
    """The trigger needs JSON1; SQLite takes it all the same and would fail every outcome."""
    db = empty_db
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL always has its JSON functions")
    await _workspace(db, BEFORE)
    event.listen(db.engine.sync_engine, "connect", _without_json)
    await db.engine.dispose()  # every connection from here on is one without them
    with pytest.raises(RuntimeError, match="JSON functions"):
        await upgrade(db, "0057_intro_sent_marks_delivered")
    event.remove(db.engine.sync_engine, "connect", _without_json)
    await db.engine.dispose()
    assert not await _run(
        db, "SELECT count(*) FROM sqlite_master WHERE name = 'schedule_send_marks_intro'"
    )
    await upgrade(db)  # JSON back: the upgrade goes through
    assert await _run(
        db, "SELECT count(*) FROM sqlite_master WHERE name = 'schedule_send_marks_intro'"
    )
