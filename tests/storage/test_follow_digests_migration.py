"""Migration 0026 (follow digests) against data, on both engines: people, follows (a
``topic_preference`` kind, no schema change) and narrations stored before it stay; the new table
claims one digest per person and week, goes with its person, and the downgrade drops only it."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage import follows
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START, at_revision
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0025_update_posts"


async def _follower_at_0025(db: Database) -> dict[str, int]:
    await at_revision(db, BEFORE)
    at = START.astimezone(UTC)
    ids = {
        "tenant": await _insert(
            db,
            "INSERT INTO tenant (platform, external_id, name, created_at)"
            " VALUES ('slack', 'T1', 'Acme', :at)",
            at=at,
        )
    }
    for user in ("U1", "U2"):
        ids[user] = await _insert(
            db,
            "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
            " VALUES (:t, :u, :u, 'joined', false, :at)",
            t=ids["tenant"],
            u=user,
            at=at,
        )
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic,"
                " created_at) VALUES (:p, 'follow', 'kafka', :t, 'Kafka', :at)"
            ),
            {"p": ids["U1"], "t": ids["tenant"], "at": at},
        )
    return ids


async def _weeks(db: Database) -> list[tuple[int, str, str]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person_id, week, status FROM follow_digest ORDER BY person_id, week")
        )
        return [(r.person_id, r.week, r.status) for r in rows]


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _follower_at_0025(db)
    await upgrade(db)
    await check(db)
    at = START.astimezone(UTC)
    async with db.transaction() as session:
        found = await follows.followers(session, platforms=["slack"])
        assert [(p.user_id, first) for p, _, first in found] == [("U1", at)]
        for person in (ids["U1"], ids["U2"]):
            assert await follows.claim(
                session, tenant_id=ids["tenant"], person_id=person, week="2026-11-30", now=at,
                dialect=db.dialect,
            )  # fmt: skip
        # The same week again (another tick, a replica) claims nothing.
        assert not await follows.claim(
            session, tenant_id=ids["tenant"], person_id=ids["U1"], week="2026-11-30", now=at,
            dialect=db.dialect,
        )  # fmt: skip
        await follows.finish(session, person_id=ids["U1"], week="2026-11-30", status="sent", now=at)
    assert await _weeks(db) == [
        (ids["U1"], "2026-11-30", "sent"),
        (ids["U2"], "2026-11-30", "pending"),
    ]
    # A person deleted takes their claims with them.
    async with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            await conn.execute(text("PRAGMA foreign_keys = ON"))
        await conn.execute(text("DELETE FROM person WHERE id = :p"), {"p": ids["U2"]})
    assert await _weeks(db) == [(ids["U1"], "2026-11-30", "sent")]

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        assert "follow_digest" not in tables
        kept = await conn.execute(text("SELECT topic FROM topic_preference WHERE kind = 'follow'"))
        assert [r.topic for r in kept] == ["Kafka"]
    await upgrade(db)
    await check(db)
    assert await _weeks(db) == []
