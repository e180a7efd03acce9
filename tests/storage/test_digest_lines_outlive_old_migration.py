"""Migration 0040 (an older replica's question deletes still reach weekly digests) against
data, on both engines: a question deleted by plain SQL, as the code from before 0032 deletes
it, keeps its digest line for the repair; the digest's own delete takes the kept lines with it;
a workspace removed keeps nothing; up, down and up again."""

from __future__ import annotations

from datetime import UTC

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_digest_copies_migration import _tables
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_post_orphans_migration import _rows, _run

BEFORE = "0039_orphan_delete_refusals"
GONE = "SELECT send_id, question_id, line, retry_at, attempts FROM digest_question_gone"


async def _listed(db: Database, ids: dict[str, int], slot: str) -> tuple[int, int]:
    """A digest's thread post (sent) listing a question of zoe's: (send id, question id)."""
    at = START.astimezone(UTC)
    schedule = await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, channel_pk, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'digest', :n, :c, 16, '16:00', 'UTC', :at, :at)",
        t=ids["tenant"],
        n=int(slot[-2:]),
        c=ids["channel"],
        at=at,
    )
    send = await _insert(
        db,
        "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
        " attempts, claimed_at, message_id, thread_part) VALUES (:s, :t, :slot, 'thread',"
        " 'sent', :at, 0, :at, 'm2', 'main')",
        s=schedule,
        t=ids["tenant"],
        slot=slot,
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
    await _run(
        db, "INSERT INTO digest_thread (send_id, post, alone) VALUES (:s, '{}', true)", s=send
    )
    await _run(
        db,
        "INSERT INTO digest_question (send_id, question_id, line) VALUES (:s, :q, 'x')",
        s=send,
        q=question,
    )
    return send, question


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _listed(db, ids, "2026-11-20")
    await upgrade(db)
    await check(db)
    assert await _rows(db, GONE) == []
    send, question = await _listed(db, ids, "2026-11-27")
    # The older code's withdraw: the line's row cascades, the line is kept for the repair.
    await _run(db, "DELETE FROM open_question WHERE id = :q", q=question)
    assert await _rows(db, GONE) == [(send, question, "x", None, 0)]
    # The digest's own delete (its send gone) takes the kept line with it.
    await _run(db, "DELETE FROM schedule_send WHERE id = :s", s=send)
    assert await _rows(db, GONE) == []
    # This version's withdraw takes the line out first: the trigger keeps nothing.
    send, question = await _listed(db, ids, "2026-11-13")
    await _run(db, "DELETE FROM digest_question WHERE question_id = :q", q=question)
    await _run(db, "DELETE FROM open_question WHERE id = :q", q=question)
    assert await _rows(db, GONE) == []

    await _downgrade(db, BEFORE)
    assert "digest_question_gone" not in await _tables(db)
    await upgrade(db)
    await check(db)
    # A workspace removed with a listed question still there: the cascade keeps nothing.
    await _listed(db, ids, "2026-11-06")
    await _run(db, "DELETE FROM tenant WHERE id = :t", t=ids["tenant"])
    assert await _rows(db, GONE) == []
