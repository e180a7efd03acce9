"""Migration 0041 (who answered an open question) against data, on both engines: up, down and
up again with an answered question, its credit counted and then dropped on the way down (the
question stays answered), and the credit going with the answerer's row and with the question's.
"""

from __future__ import annotations

from datetime import UTC

from narrate_bot.storage import question_repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows, _run

BEFORE = "0040_digest_lines_outlive_old"


async def _counts(db: Database, tenant: int) -> tuple[int, int]:
    async with db.snapshot() as session:
        return (
            await question_repo.answered_count(session, tenant_id=tenant),
            await question_repo.credited_count(session, tenant_id=tenant),
        )


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    at = START.astimezone(UTC)
    question = await _insert(
        db,
        "INSERT INTO open_question (tenant_id, person_id, channel_pk, text, asked_at, status)"
        " VALUES (:t, :p, :c, 'cobol', :at, 'answered')",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=at,
    )
    bob = await _insert(
        db,
        "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
        " VALUES (:t, 'U2', 'bob', 'joined', false, :at)",
        t=ids["tenant"],
        at=at,
    )
    await upgrade(db)
    await check(db)
    assert await _counts(db, ids["tenant"]) == (1, 0)  # answered before: nobody credited
    async with db.transaction() as session:
        await question_repo.credit(session, question_id=question, person_id=bob)
    assert await _counts(db, ids["tenant"]) == (1, 1)

    await _downgrade(db, BEFORE)
    assert await _rows(db, "SELECT status FROM open_question") == [("answered",)]
    await upgrade(db)
    await check(db)
    assert await _counts(db, ids["tenant"]) == (1, 0)
    async with db.transaction() as session:
        await question_repo.credit(session, question_id=question, person_id=bob)
    await _run(db, "DELETE FROM person WHERE id = :p", p=bob)  # bob's forget-me
    assert await _counts(db, ids["tenant"]) == (1, 0)
    assert await _rows(db, "SELECT question_id FROM question_credit") == []
