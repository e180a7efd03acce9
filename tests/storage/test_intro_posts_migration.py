"""Migration 0033 (where introductions were posted; questions kept only while taking part)
against data, on both engines: up, down and up again. The questions of people who left
introductions or narrate-bot before it are deleted; a participant's stay. A kept post's place
goes with its introduction, and with its workspace."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0032_digest_copies"
AT = START.astimezone(UTC)


async def _run(db: Database, statement: str, **values) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(statement), values)


async def _rows(db: Database, statement: str, **values) -> list[tuple[object, ...]]:
    async with db.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(statement), values)).all()]


async def _person(db: Database, tenant: int, user_id: str, consent: str = "joined") -> int:
    return await _insert(
        db,
        "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
        " VALUES (:t, :u, :u, :c, false, :at)",
        t=tenant,
        u=user_id,
        c=consent,
        at=AT,
    )


async def _asks(db: Database, tenant: int, person: int, topic: str, *, taking_part: bool) -> None:
    if taking_part:
        await _run(
            db,
            "INSERT INTO intro_participant (person_id, tenant_id, joined_at) VALUES (:p, :t, :at)",
            p=person,
            t=tenant,
            at=AT,
        )
    await _insert(
        db,
        "INSERT INTO intro_asked_topic (tenant_id, person_id, topic, asked_at)"
        " VALUES (:t, :p, :topic, :at)",
        t=tenant,
        p=person,
        topic=topic,
        at=AT,
    )


async def _introduction(db: Database, tenant: int, week: str) -> int:
    round_id = await _insert(
        db,
        "INSERT INTO intro_round (tenant_id, week, created_at) VALUES (:t, :w, :at)",
        t=tenant,
        w=week,
        at=AT,
    )
    return await _insert(
        db,
        "INSERT INTO introduction (tenant_id, number, round_id, created_at, topics,"
        " answers_question) VALUES (:t, 1, :r, :at, 'kafka', false)",
        t=tenant,
        r=round_id,
        at=AT,
    )


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync)))


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant, zoe = ids["tenant"], ids["person"]
    await _asks(db, tenant, zoe, "kafka", taking_part=True)  # still in introductions: stays
    left_intros = await _person(db, tenant, "U2")
    await _asks(db, tenant, left_intros, "terraform", taking_part=False)  # intros leave
    left_bot = await _person(db, tenant, "U3", consent="left")
    await _asks(db, tenant, left_bot, "cobol", taking_part=True)  # /narrate leave
    introduction = await _introduction(db, tenant, "2026-W48")

    await upgrade(db)
    await check(db)
    assert await _rows(db, "SELECT person_id, topic FROM intro_asked_topic") == [(zoe, "kafka")]
    await _insert(
        db,
        "INSERT INTO intro_post (introduction_id, channel_id, message_id, people)"
        " VALUES (:i, 'C1', '1.5', 2)",
        i=introduction,
    )
    assert await _rows(
        db, "SELECT channel_id, message_id, retract_at, attempts FROM intro_post"
    ) == [("C1", "1.5", None, 0)]

    await _downgrade(db, BEFORE)
    assert "intro_post" not in await _tables(db)
    assert await _rows(db, "SELECT topic FROM intro_asked_topic") == [("kafka",)]
    # The older code's questions of someone who left are kept again until the next upgrade.
    await _asks(db, tenant, left_intros, "helm", taking_part=False)

    await upgrade(db)
    await check(db)
    assert await _rows(db, "SELECT topic FROM intro_asked_topic") == [("kafka",)]
    await _insert(
        db,
        "INSERT INTO intro_post (introduction_id, channel_id, message_id, people)"
        " VALUES (:i, 'C1', '1.6', 2)",
        i=introduction,
    )
    await _run(db, "DELETE FROM tenant WHERE id = :t", t=tenant)  # the app removed
    assert await _rows(db, "SELECT id FROM intro_post") == []
