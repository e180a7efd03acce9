"""Migration 0055 (``introduction.delivered_at``) against data, on both engines: an introduction
of a round that reached someone (a post sent), or that queued nothing, is backfilled as
delivered when it was made; one of a round whose every post failed stays undelivered, so it is
never followed up; down and up again keeps that, and ``alembic check`` is clean."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from sqlalchemy import text

from narrate_bot.storage import intro_repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0054_cjk_characters_folded"
AT = START.astimezone(UTC)


async def _round(db: Database, tenant: int, week: str, number: int, *statuses: str) -> None:
    """A round of ``week`` with introduction ``number``, and its intros posts (slot: the week's
    Monday) with ``statuses``."""
    round_id = await _insert(
        db,
        "INSERT INTO intro_round (tenant_id, week, created_at) VALUES (:t, :w, :at)",
        t=tenant,
        w=week,
        at=AT,
    )
    await _insert(
        db,
        "INSERT INTO introduction (tenant_id, number, round_id, created_at, topics,"
        " answers_question) VALUES (:t, :n, :r, :at, 'kafka', false)",
        t=tenant,
        n=number,
        r=round_id,
        at=AT,
    )
    year, _, iso = week.partition("-W")
    slot = date.fromisocalendar(int(year), int(iso), 1).isoformat()
    schedule = await _run(db, "SELECT id FROM schedule WHERE kind = 'intros'")
    for i, status in enumerate(statuses):
        await _insert(
            db,
            "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
            " attempts, claimed_at) VALUES (:s, :t, :slot, :part, :status, :at, 0, :at)",
            s=schedule,
            t=tenant,
            slot=slot,
            part=f"post-{i}",
            status=status,
            at=AT,
        )


async def _delivered(db: Database) -> list[int]:
    async with db.engine.begin() as conn:
        rows = await conn.execute(
            text("SELECT number FROM introduction WHERE delivered_at IS NOT NULL ORDER BY number")
        )
        return [n for (n,) in rows]


async def test_rounds_that_reached_someone_are_delivered_and_the_rest_are_not(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant = ids["tenant"]
    await _insert(
        db,
        "INSERT INTO schedule (tenant_id, kind, number, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'intros', 1, 2, '10:00', 'UTC', :at, :at)",
        t=tenant,
        at=AT,
    )
    await _round(db, tenant, "2026-W46", 1, "sent", "failed")  # reached someone
    await _round(db, tenant, "2026-W47", 2, "failed", "skipped")  # reached nobody
    await _round(db, tenant, "2026-W48", 3)  # queued nothing: outside the scheduler
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [1, 3]
    async with db.transaction() as session:
        asked = await intro_repo.claim_follow_ups(
            session, tenant_id=tenant, since=AT - timedelta(days=1), now=AT + timedelta(days=1)
        )
    assert sorted(i.number for i in asked) == [1, 3], "nobody is asked about #2: nobody got it"

    await _downgrade(db, BEFORE)
    assert await _run(db, "SELECT count(*) FROM introduction") == 3
    await upgrade(db)
    await check(db)
    assert await _delivered(db) == [1, 3]
