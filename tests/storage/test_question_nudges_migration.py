"""Migration 0045 (the follow-up on open questions nobody closed) against data, on both engines:
up, down and up again with an open question asked long before. After the upgrade the old
question is due for its nudge at once; its claim is made once (a second claim, as another
replica's, is refused); down drops the nudge, the question stays open; and the nudge goes with
its question.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import question_nudges
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows, _run

BEFORE = "0044_update_posts_resync"
WAIT = timedelta(days=14)


async def _next(db: Database, now) -> object:
    async with db.snapshot() as session:
        return await question_nudges.next_due_at(
            session, platforms=["slack"], wait=WAIT, after=None, until=now
        )


async def _claim(db: Database, question: int, now) -> bool:
    async with db.transaction() as session:
        return await question_nudges.claim(
            session, question_id=question, nudge=1, wait=WAIT, now=now
        )


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    asked = START.astimezone(UTC) - timedelta(days=20)  # under 42 days: still asked about
    now = START.astimezone(UTC)
    question = await _insert(
        db,
        "INSERT INTO open_question (tenant_id, person_id, channel_pk, text, asked_at, status)"
        " VALUES (:t, :p, :c, 'cobol', :at, 'open')",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=asked,
    )
    await upgrade(db)
    await check(db)
    assert await _next(db, now) == asked + WAIT  # asked long ago: due at once
    assert await _claim(db, question, now) is True
    assert await _claim(db, question, now) is False  # another replica: already claimed
    assert await _next(db, now) is None

    await _downgrade(db, BEFORE)
    assert await _rows(db, "SELECT status FROM open_question") == [("open",)]
    await upgrade(db)
    await check(db)
    assert await _next(db, now) == asked + WAIT  # the older code asked nobody: due again
    assert await _claim(db, question, now) is True
    await _run(db, "DELETE FROM open_question WHERE id = :q", q=question)  # forget-me
    assert await _rows(db, "SELECT question_id FROM question_nudge") == []
