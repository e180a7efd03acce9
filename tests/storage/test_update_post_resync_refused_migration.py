"""Migration 0053 (an update post's resync refusal noted) against data, on both engines: a post
an older replica's edit left due keeps its wait through up, down and up again; its first refusal
is noted and only that one counts as first; the bot back in the post's channel makes it due at
once; and ``alembic check`` is clean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from narrate_bot.storage import update_post_resync as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from narrate_bot.storage.update_post_tables import UpdatePost
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _workspace
from tests.storage.test_update_posts_resync_migration import _posted, _run

BEFORE = "0052_search_text_older_edits"
LEASED = datetime(2026, 11, 24, 12, tzinfo=UTC)


async def _refused(db: Database, post_id: int) -> bool:
    async with db.transaction() as session:
        first = await store.refused(
            session, post_id=post_id, leased=LEASED, at=START, retry_at=START + timedelta(days=7)
        )
        await _lease(session, post_id)
        return first


async def _lease(session: AsyncSession, post_id: int) -> None:
    """As a repair's ``take``: the post leased for one try."""
    await session.exec(
        update(UpdatePost).where(col(UpdatePost.id) == post_id).values(resync_at=LEASED)
    )


async def test_posts_keep_their_wait_and_note_their_first_refusal(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    narration = await _posted(db, ids, 1, "2.000001")
    await upgrade(db)
    await check(db)
    post = await _run(db, "SELECT id FROM update_post WHERE narration_id = :n", n=narration)
    assert isinstance(post, int)
    await _run(db, "UPDATE narration SET text = 'kafka lag, fixed' WHERE id = :n", n=narration)
    assert await _run(db, "SELECT resync_refused_at FROM update_post") is None
    async with db.transaction() as session:
        await _lease(session, post)
    assert await _refused(db, post) is True
    assert await _refused(db, post) is False  # logged once
    assert await _run(db, "SELECT resync_refused_at IS NOT NULL FROM update_post") in (True, 1)
    async with db.transaction() as session:  # the bot is back in the post's channel
        await store.reachable_again(session, tenant_id=ids["tenant"], channel_id="C1")
    assert await _run(db, "SELECT resync_at FROM update_post") not in (None, LEASED)

    await _downgrade(db, BEFORE)
    assert await _run(db, "SELECT count(*) FROM update_post") == 1
    async with db.transaction() as session:
        await _lease(session, post)
    await upgrade(db)
    await check(db)
    assert await _run(db, "SELECT resync_refused_at FROM update_post") is None
    assert await _refused(db, post) is True
