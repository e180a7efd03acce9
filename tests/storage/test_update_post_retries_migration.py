"""Migration 0028 (a form update's post that failed for a passing reason is tried again) against
data, on both engines: a post made before it keeps its id and is never retried; a claim left
for the tick is due at its time, taken by one tick only, counted; the downgrade drops only the
claims still waiting (the older code never retries them) and keeps posts made."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from narrate_bot.storage import update_posts
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0027_narration_prompt"
AFTER = "0028_update_post_retries"


async def _at_0027(db: Database) -> dict[str, int]:
    ids = await _workspace(db, BEFORE)
    at = START.astimezone(UTC)
    for ordinal in (1, 2, 3):
        ids[f"narration{ordinal}"] = await _insert(
            db,
            "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
            " text, created_at) VALUES (:t, :p, :c, :o, 'prompt_reply', 'channel', 'shipped', :at)",
            t=ids["tenant"],
            p=ids["person"],
            c=ids["channel"],
            o=ordinal,
            at=at,
        )
    ids["posted"] = await _insert(
        db,
        "INSERT INTO update_post (narration_id, channel_id, thread_of, message_id, claimed_at)"
        " VALUES (:n, 'C1', '1.000001', '1.000002', :at)",
        n=ids["narration1"],
        at=at,
    )
    return ids


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _at_0027(db)
    # To head, not AFTER: the queries below read every column later migrations added
    # (0044's update_post.resync_at); the downgrade then passes back through all of them.
    await upgrade(db)
    at = START.astimezone(UTC)
    async with db.transaction() as session:
        assert await update_posts.due_retries(session, now=at + timedelta(days=1), limit=10) == []
        # The post made before: kept, not retried.
        assert not await update_posts.later(
            session,
            narration_id=ids["narration1"],
            channel_id="C1",
            thread_of="1.000001",
            retry_at=at,
            now=at,
        )
        assert await update_posts.later(
            session,
            narration_id=ids["narration2"],
            channel_id="C1",
            thread_of="",
            retry_at=at + timedelta(minutes=2),
            now=at,
        )
    async with db.transaction() as session:
        assert await update_posts.due_retries(session, now=at, limit=10) == []
        assert await update_posts.next_retry(
            session, after=None, until=at + timedelta(hours=1)
        ) == at + timedelta(minutes=2)
        [due] = await update_posts.due_retries(session, now=at + timedelta(minutes=2), limit=10)
        assert due.narration.id == ids["narration2"] and due.row.attempts == 0
        assert due.tenant.id == ids["tenant"] and due.channel.id == ids["channel"]
        assert due.row.id is not None and due.row.retry_at is not None
        seen, post_id = due.row.retry_at, due.row.id
        taken_at = at + timedelta(minutes=2)
        assert await update_posts.take(session, post_id=post_id, seen=seen, now=taken_at)
        # A second tick (a replica) that read it at the same time takes nothing.
        assert not await update_posts.take(session, post_id=post_id, seen=seen, now=taken_at)
    async with db.transaction() as session:
        assert (
            await update_posts.due_retries(session, now=at + timedelta(minutes=3), limit=10) == []
        )
        row = await update_posts.find(session, narration_id=ids["narration2"])
        # In flight: never due again by itself (a try that died may have posted it).
        assert row is not None and row.attempts == 1 and row.retry_at is None
        assert (
            await update_posts.next_retry(session, after=None, until=at + timedelta(days=1)) is None
        )

    async with db.transaction() as session:  # one still waiting for its retry
        assert await update_posts.later(
            session,
            narration_id=ids["narration3"],
            channel_id="C1",
            thread_of="1.000001",
            retry_at=at + timedelta(hours=1),
            now=at,
        )
    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT narration_id, message_id FROM update_post"))
        # The claim a tick took stays (the older code knows claims in flight); only claims
        # still waiting for a retry would go.
        assert sorted((r.narration_id, r.message_id or "") for r in rows) == [
            (ids["narration1"], "1.000002"),
            (ids["narration2"], ""),
        ]
    await upgrade(db)
    await check(db)
    async with db.transaction() as session:
        row = await update_posts.find(session, narration_id=ids["narration1"])
        assert row is not None and row.retry_at is None and row.attempts == 0
