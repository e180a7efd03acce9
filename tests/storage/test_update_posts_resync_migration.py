"""Migration 0044 (form updates' posts follow any version's edits and unshares: ``resync_at`` and
the ``narration_resyncs_update_post`` trigger) against data, on both engines: up, the trigger
marks a posted update due on a text change or an "only me" and on nothing else, down (the
columns and the trigger go, the posts stay), up again; ``alembic check`` clean at head."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0043_orphan_refusals_weekly"


async def _run(db: Database, statement: str, **values) -> object:
    async with db.engine.begin() as conn:
        found = await conn.execute(text(statement), values)
        return found.scalar() if found.returns_rows else None


async def _posted(db: Database, ids: dict[str, int], ordinal: int, message_id: str | None) -> int:
    at = START.astimezone(UTC)
    narration = await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, created_at) VALUES (:t, :p, :c, :o, 'form', 'channel', 'kafka lag', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        o=ordinal,
        at=at,
    )
    await _insert(
        db,
        "INSERT INTO update_post (narration_id, channel_id, thread_of, message_id, claimed_at)"
        " VALUES (:n, 'C1', '1.000001', :m, :at)",
        n=narration,
        m=message_id,
        at=at,
    )
    return narration


async def _due(db: Database) -> list[object]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT narration_id FROM update_post WHERE resync_at IS NOT NULL ORDER BY 1")
        )
        return [row[0] for row in rows.all()]


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    posted = await _posted(db, ids, 1, "2.000001")
    await upgrade(db)
    await check(db)
    assert await _due(db) == []  # posts of before the upgrade are taken as in step
    going = await _posted(db, ids, 2, None)  # still going out: its poster reads the text
    widened = await _posted(db, ids, 3, "2.000003")
    await _run(
        db, "UPDATE narration SET text = 'kafka lag, fixed' WHERE id IN (:a, :b)", a=posted, b=going
    )
    await _run(db, "UPDATE narration SET audience = 'tenant' WHERE id = :n", n=widened)
    await _run(
        db, "UPDATE narration SET text = text, created_at = created_at WHERE id = :n", n=widened
    )
    assert await _due(db) == [posted]
    await _run(db, "UPDATE update_post SET resync_at = NULL")
    await _run(db, "UPDATE narration SET audience = 'only_me' WHERE id = :n", n=widened)
    assert await _due(db) == [widened]

    await _downgrade(db, BEFORE)
    assert await _run(db, "SELECT count(*) FROM update_post") == 3
    await _run(db, "UPDATE narration SET text = 'again' WHERE id = :n", n=posted)  # no trigger

    await upgrade(db)
    await check(db)
    assert await _due(db) == []
    await _run(db, "UPDATE narration SET text = 'and again' WHERE id = :n", n=posted)
    assert await _due(db) == [posted]
