"""Migration 0023 (a channel prompt's own question) against data, on both engines: prompts stored
before it ask the default question and keep everything else; a question set after it is kept;
the downgrade keeps the schedules (without their questions), and upgrading again works."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from narrate_bot.storage.migrate import check, upgrade
from narrate_bot.storage.schedule_tables import Schedule
from tests.conftest import START, at_revision
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0022_channel_shared_unknown"


async def test_prompts_stored_before_ask_the_default_question_and_keep_the_rest(empty_db):
    db = empty_db
    await at_revision(db, BEFORE)
    tenant = await _insert(
        db,
        "INSERT INTO tenant (platform, external_id, name, created_at)"
        " VALUES ('slack', 'T1', 'Acme', :at)",
        at=START,
    )
    channel = await _insert(
        db,
        "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
        " VALUES (:t, 'C1', 'team', 'public', false)",
        t=tenant,
    )
    schedules = [
        await _insert(
            db,
            "INSERT INTO schedule (tenant_id, kind, number, channel_pk, days, local_time,"
            " timezone, next_fire_at, created_at) VALUES (:t, :k, :n, :c, 31, :hm, 'UTC', :at,"
            " :at)",
            t=tenant,
            k=kind,
            n=number,
            c=channel,
            hm=at,
            at=START,
        )
        for kind, number, at in [("prompt", 1, "16:30"), ("digest", 2, "16:00")]
    ]

    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        rows = (await session.exec(select(Schedule).order_by(Schedule.id))).all()
        assert [(r.id, r.kind, r.number, r.local_time, r.question) for r in rows] == [
            (schedules[0], "prompt", 1, "16:30", None),
            (schedules[1], "digest", 2, "16:00", None),
        ]
        rows[0].question = "What did you ship today? ✅"
        session.add(rows[0])
    async with db.transaction() as session:
        kept = await session.get(Schedule, schedules[0])
        assert kept is not None and kept.question == "What did you ship today? ✅"

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        left = await conn.execute(text("SELECT id, kind, number FROM schedule ORDER BY id"))
        assert [(r.id, r.kind, r.number) for r in left] == [
            (schedules[0], "prompt", 1),
            (schedules[1], "digest", 2),
        ]
    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        rows = (await session.exec(select(Schedule).order_by(Schedule.id))).all()
        assert [(r.id, r.question) for r in rows] == [(schedules[0], None), (schedules[1], None)]
