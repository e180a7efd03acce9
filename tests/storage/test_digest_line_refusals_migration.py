"""Migration 0049 (a digest line's refusal noted) against data, on both engines: a line an older
replica's delete left keeps its place and its wait through up, down and up again; its first
refusal is noted and only that one counts as first; the bot back in the digest's channel makes it
due at once; and ``alembic check`` is clean."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.storage import digest_copies as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_digest_lines_outlive_old_migration import _listed
from tests.storage.test_migrations import _downgrade, _workspace
from tests.storage.test_update_post_orphans_migration import _rows, _run

BEFORE = "0048_edit_refusals_weekly"
GONE = "SELECT send_id, question_id, line, attempts FROM digest_question_gone"


async def _refused(db: Database, send_id: int) -> bool:
    async with db.transaction() as session:
        return await store.gone_refused(
            session, send_id=send_id, at=START, retry_at=START + timedelta(days=7)
        )


async def test_lines_keep_their_place_and_note_their_first_refusal(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    send, question = await _listed(db, ids, "2026-11-27")
    await _run(db, "DELETE FROM open_question WHERE id = :q", q=question)  # the older code's
    await upgrade(db)
    await check(db)
    assert await _rows(db, GONE) == [(send, question, "x", 0)]
    assert await _rows(db, "SELECT refused_at FROM digest_question_gone") == [(None,)]
    assert await _refused(db, send) is True
    assert await _refused(db, send) is False  # logged once
    assert await _rows(db, "SELECT retry_at IS NULL FROM digest_question_gone") == [(False,)]
    async with db.transaction() as session:  # the bot is back in the digest's channel
        await store.reachable_again(session, channel_pk=ids["channel"])
    assert await _rows(db, "SELECT retry_at IS NULL FROM digest_question_gone") == [(True,)]

    await _downgrade(db, BEFORE)
    assert await _rows(db, GONE) == [(send, question, "x", 0)]
    await upgrade(db)
    await check(db)
    assert await _rows(db, "SELECT refused_at FROM digest_question_gone") == [(None,)]
    assert await _refused(db, send) is True
