"""Migration 0051 (a follow-up DM the platform took nothing of is sent again) against data, on
both engines: up, down and up again with a question already asked about. Its nudge row keeps its
claim through each step; a retry stored after the upgrade is due at its time (the asker's week
doesn't hold it back), claimed once, and down drops only the retry (the older code never
retried).
"""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import question_nudges
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows, _run

BEFORE = "0050_cjk_search_text"
WAIT = timedelta(days=14)


async def _next(db: Database, now) -> object:
    async with db.snapshot() as session:
        return await question_nudges.next_due_at(
            session, platforms=["slack"], wait=WAIT, after=None, until=now
        )


async def _retry(db: Database, question: int, at) -> None:
    async with db.transaction() as session:
        await question_nudges.retry_later(session, question_id=question, nudge=1, at=at)


async def _claim_retry(db: Database, question: int, now) -> bool:
    async with db.transaction() as session:
        return await question_nudges.claim_retry(session, question_id=question, now=now)


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    now = START.astimezone(UTC)
    asked = now - timedelta(days=15)
    question = await _insert(
        db,
        "INSERT INTO open_question (tenant_id, person_id, channel_pk, text, asked_at, status)"
        " VALUES (:t, :p, :c, 'cobol', :at, 'open')",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=asked,
    )
    claimed = now - timedelta(days=1)
    await _run(
        db,
        "INSERT INTO question_nudge (question_id, nudges, nudged_at) VALUES (:q, 1, :at)",
        q=question,
        at=claimed,
    )
    for step in range(2):
        await upgrade(db)
        await check(db)
        assert await _rows(db, "SELECT nudges, attempts, retry_at FROM question_nudge") == [
            (1, 0, None)
        ]
        assert await _next(db, now) is None  # claimed before: nothing due
        await _retry(db, question, now - timedelta(minutes=5))
        assert await _next(db, now) == now - timedelta(minutes=5)  # within the asker's week
        assert await _claim_retry(db, question, now) is True
        assert await _claim_retry(db, question, now) is False  # another replica: taken
        assert await _next(db, now) is None
        await _retry(db, question, now + timedelta(minutes=2))
        if step == 0:
            await _downgrade(db, BEFORE)
            assert await _rows(db, "SELECT question_id, nudges FROM question_nudge") == [
                (question, 1)
            ]
            await _run(db, "UPDATE question_nudge SET nudged_at = :at", at=claimed)
    await _run(db, "DELETE FROM open_question WHERE id = :q", q=question)  # forget-me
    assert await _rows(db, "SELECT question_id FROM question_nudge") == []
