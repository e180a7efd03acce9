"""Migration 0042 (a who-knows answer by DM to someone who never joined, kept under their user
id) against data, on both engines: records from before keep their readers; the downgrade
deletes only the records kept by user id (with their quotes), and upgrading again takes new
ones; ``alembic check`` is clean each time."""

from __future__ import annotations

from datetime import UTC

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_answer_copies_migration import _count, _digest, _narration, _quote
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0041_question_credits"


async def _by_user_id(db: Database, ids: dict[str, int], narration: int) -> int:
    """A DM answer to someone with no person row: kept under their user id."""
    copy = await _insert(
        db,
        "INSERT INTO narration_copy (tenant_id, reader_user_id, kind, message_id, post,"
        " posted_at, attempts) VALUES (:t, 'U-never-joined', 'who_knows', 'd1', '{}', :at, 0)",
        t=ids["tenant"],
        at=START.astimezone(UTC),
    )
    await _quote(db, copy, narration)
    return copy


async def test_answers_kept_by_user_id_and_the_downgrade(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    narration = await _narration(db, ids)
    await _digest(db, ids, narration)
    await upgrade(db)
    await check(db)
    assert await _count(db, "narration_copy", "person_id IS NOT NULL") == 1  # kept as it was
    await _by_user_id(db, ids, narration)
    assert await _count(db, "narration_copy_quote") == 2

    await _downgrade(db, BEFORE)
    assert await _count(db, "narration_copy") == 1  # the digest's, with its reader
    assert await _count(db, "narration_copy_quote") == 1  # the answer's quote went with it

    await upgrade(db)
    await check(db)
    await _by_user_id(db, ids, narration)  # the schema takes them again
    assert await _count(db, "narration_copy", "reader_user_id = 'U-never-joined'") == 1
