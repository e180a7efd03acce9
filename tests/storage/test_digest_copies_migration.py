"""Migration 0032 (which questions a digest's thread listed) against data, on both engines: the
digest tables cascade from their send and from their question, and the downgrade drops only
them."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0031_lapsed_erasure_requests"


async def _indexes(db: Database, table: str) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {i["name"] for i in sync.dialect.get_indexes(sync, table)}
        )


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync)))


async def test_digest_copies_cascade_and_go_with_the_downgrade(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await upgrade(db)
    at = START.astimezone(UTC)
    schedule = await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, channel_pk, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'digest', 1, :c, 16, '16:00', 'UTC', :at, :at)",
        t=ids["tenant"],
        c=ids["channel"],
        at=at,
    )
    send = await _insert(
        db,
        "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
        " attempts, claimed_at, message_id, thread_part) VALUES (:s, :t, '2026-11-27', 'thread',"
        " 'sent', :at, 0, :at, 'm2', 'main')",
        s=schedule,
        t=ids["tenant"],
        at=at,
    )
    question = await _insert(
        db,
        "INSERT INTO open_question (tenant_id, person_id, channel_pk, text, asked_at)"
        " VALUES (:t, :p, :c, 'cobol', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=at,
    )
    async with db.engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO digest_thread (send_id, post, alone) VALUES (:s, '{}', true)"),
            {"s": send},
        )
        await conn.execute(
            text("INSERT INTO digest_question (send_id, question_id, line) VALUES (:s, :q, 'x')"),
            {"s": send, "q": question},
        )
        await conn.execute(text("DELETE FROM open_question WHERE id = :q"), {"q": question})
        assert (await conn.execute(text("SELECT count(*) FROM digest_question"))).scalar() == 0
        await conn.execute(text("DELETE FROM schedule_send WHERE id = :s"), {"s": send})
        assert (await conn.execute(text("SELECT count(*) FROM digest_thread"))).scalar() == 0

    await _downgrade(db, BEFORE)
    tables = await _tables(db)
    assert {"digest_thread", "digest_question"}.isdisjoint(tables)
    assert {"schedule_send", "open_question"} <= tables
    assert "ix_person_erase_requested_at" in await _indexes(db, "person")
    await upgrade(db)
    await check(db)
