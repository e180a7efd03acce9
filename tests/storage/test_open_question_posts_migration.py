"""Migration 0020 (open questions keep their post's ids and a status) against data, on both
engines: questions stored before it stay, open, with no post to delete (their ids were never
kept), and the downgrade keeps the rows."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text
from sqlmodel import select

from narrate_bot.storage import question_repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from narrate_bot.storage.question_tables import OpenQuestion
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0019_schedule_numbers"


async def _question_at_0019(db: Database) -> dict[str, int]:
    ids = await _workspace(db, BEFORE, channel=("CQ", "questions"))
    at = START.astimezone(UTC)
    ids["question"] = await _insert(
        db,
        "INSERT INTO open_question (tenant_id, person_id, channel_pk, text, asked_at)"
        " VALUES (:t, :p, :c, 'cobol', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=at,
    )
    return ids


async def test_questions_stored_before_stay_open_without_a_post_to_delete(empty_db):
    db = empty_db
    ids = await _question_at_0019(db)
    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        [row] = (await session.exec(select(OpenQuestion))).all()
        assert (row.id, row.status, row.closed_at) == (ids["question"], "open", None)
        assert (row.post_channel_id, row.post_message_id) == (None, None)
        # Its post can't be found to delete, but forget-me says it is there.
        [unknown] = await question_repo.posts_of(session, person_id=ids["person"])
        assert (unknown.message_id, unknown.text, unknown.channel_name) == (
            "",
            "cobol",
            "questions",
        )
        kept = await question_repo.keep_post(
            session,
            person_id=ids["person"],
            channel_pk=ids["channel"],
            text="cobol",
            since=START - timedelta(days=1),
            channel_id="CQ",
            message_id="1700000000.000001",
        )
        assert kept
        [ref] = await question_repo.posts_of(session, person_id=ids["person"])
        assert (ref.channel_id, ref.message_id, ref.channel_name) == (
            "CQ",
            "1700000000.000001",
            "questions",
        )

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, text FROM open_question"))
        assert [(r.id, r.text) for r in rows] == [(ids["question"], "cobol")]
    await upgrade(db)
    await check(db)
