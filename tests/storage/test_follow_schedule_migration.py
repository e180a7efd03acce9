"""Migration 0029 (each follower's next due time, and retries) against data, on both engines:
every follower stored before it gets a ``follow_schedule`` row due at the upgrade (the first
wake-up places it at their next Monday 09:00), someone following nothing gets none, claims
made before it count one try, a row goes with its person, and the downgrade drops only what
the revision added."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0028_update_post_retries"


async def _followers_at_0028(db: Database) -> dict[str, int]:
    ids = await _workspace(db, BEFORE, channel=None)
    at = START.astimezone(UTC)
    ids["bo"] = await _insert(
        db,
        "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
        " VALUES (:t, 'U2', 'bo', 'joined', false, :at)",
        t=ids["tenant"],
        at=at,
    )
    async with db.engine.begin() as conn:
        for topic in ("kafka", "ledger"):  # zoe follows two topics: still one row
            await conn.execute(
                text(
                    "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic,"
                    " created_at) VALUES (:p, 'follow', :k, :t, :k, :at)"
                ),
                {"p": ids["person"], "k": topic, "t": ids["tenant"], "at": at},
            )
        await conn.execute(  # bo hides a topic and follows none
            text(
                "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic,"
                " created_at) VALUES (:p, 'hide', 'kafka', :t, 'kafka', :at)"
            ),
            {"p": ids["bo"], "t": ids["tenant"], "at": at},
        )
        await conn.execute(
            text(
                "INSERT INTO follow_digest (tenant_id, person_id, week, status, claimed_at,"
                " sent_at) VALUES (:t, :p, '2026-11-23', 'sent', :at, :at)"
            ),
            {"t": ids["tenant"], "p": ids["person"], "at": at},
        )
    return ids


async def _scheduled(db: Database) -> list[tuple[int, int, datetime]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person_id, tenant_id, due_at FROM follow_schedule ORDER BY person_id")
        )
        found = []
        for r in rows:
            due = r.due_at if isinstance(r.due_at, datetime) else datetime.fromisoformat(r.due_at)
            found.append((r.person_id, r.tenant_id, due.replace(tzinfo=due.tzinfo or UTC)))
        return found


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _followers_at_0028(db)
    before = datetime.now(UTC)
    await upgrade(db)
    await check(db)
    [(person, tenant, due)] = await _scheduled(db)
    assert (person, tenant) == (ids["person"], ids["tenant"])
    assert before - timedelta(seconds=1) <= due <= datetime.now(UTC) + timedelta(seconds=1)
    async with db.engine.connect() as conn:
        tries = await conn.execute(text("SELECT week, status, attempts FROM follow_digest"))
        assert [tuple(r) for r in tries] == [("2026-11-23", "sent", 1)]
    # A person deleted takes their row with them.
    async with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            await conn.execute(text("PRAGMA foreign_keys = ON"))
        await conn.execute(text("DELETE FROM person WHERE id = :person"), ids)
    assert await _scheduled(db) == []

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        assert "follow_schedule" not in tables and "follow_digest" in tables
        columns = await conn.run_sync(
            lambda sync: [c["name"] for c in sync.dialect.get_columns(sync, "follow_digest")]
        )
        assert "attempts" not in columns
    await upgrade(db)
    await check(db)
    assert await _scheduled(db) == []
