"""Migration 0021 (a channel keeps whether it is archived, and whether the bot was removed from
it) against data, on both engines: channels stored before it are neither, and keep everything
else; the downgrade keeps them, and upgrading again works."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from narrate_bot.storage.migrate import check, upgrade
from narrate_bot.storage.tables import Channel
from tests.conftest import START, at_revision
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0020_open_question_posts"


async def test_channels_stored_before_are_neither_archived_nor_left(empty_db):
    db = empty_db
    await at_revision(db, BEFORE)
    tenant = await _insert(
        db,
        "INSERT INTO tenant (platform, external_id, name, created_at)"
        " VALUES ('slack', 'T1', 'Acme', :at)",
        at=START,
    )
    channels = {
        name: await _insert(
            db,
            "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
            " VALUES (:t, :c, :n, :k, :s)",
            t=tenant,
            c=cid,
            n=name,
            k=kind,
            s=shared,
        )
        for cid, name, kind, shared in [
            ("CQ", "questions", "public", False),
            ("GQ", "leads", "private", True),
        ]
    }

    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        rows = (await session.exec(select(Channel).order_by(Channel.id))).all()
        assert [(r.id, r.name, r.kind, r.shared, r.archived, r.bot_left) for r in rows] == [
            (channels["questions"], "questions", "public", False, False, False),
            (channels["leads"], "leads", "private", True, False, False),
        ]
        rows[0].archived, rows[1].bot_left = True, True
        for row in rows:
            session.add(row)

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        kept = await conn.execute(text("SELECT id, name, kind FROM channel ORDER BY id"))
        assert [(r.id, r.name, r.kind) for r in kept] == [
            (channels["questions"], "questions", "public"),
            (channels["leads"], "leads", "private"),
        ]
    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        rows = (await session.exec(select(Channel).order_by(Channel.id))).all()
        assert [(r.archived, r.bot_left) for r in rows] == [(False, False), (False, False)]
