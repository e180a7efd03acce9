"""A topic hidden before matching folded accents still hides its owner afterwards.

Until 0018 a hide of "Zürich" was stored under the key ``zürich``; questions now match by folded
stems (``zurich``), so without recomputing the keys bob stayed in every "who knows about
zurich?" answer he had asked to be left out of.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START, at_revision
from tests.storage.test_migrations import ACME, _downgrade, _insert, _say

BEFORE = "0017_schedule_removed_at"


async def _preferences_at_0017(db: Database) -> None:
    """bob hid "Zürich" and declared "café"; carol hid both "Zürich" and "zurich" (two rows
    then, one topic now). Keys as the code before 0018 computed them."""
    await at_revision(db, BEFORE)
    at = START.astimezone(UTC)
    tenant = await _insert(
        db,
        "INSERT INTO tenant (platform, external_id, name, created_at)"
        " VALUES ('slack', :e, :e, :at)",
        e=ACME.tenant_id,
        at=at,
    )
    person = (
        "INSERT INTO person (tenant_id, user_id, display_name, consent, created_at)"
        " VALUES (:t, :u, :u, 'joined', :at)"
    )
    bob = await _insert(db, person, t=tenant, u="bob", at=at)
    carol = await _insert(db, person, t=tenant, u="carol", at=at)
    async with db.engine.begin() as conn:
        for who, kind, key, topic in (
            (bob, "hide", "zürich", "Zürich"),
            (bob, "ask", "café", "café"),
            (carol, "hide", "zürich", "Zürich"),
            (carol, "hide", "zurich", "zurich"),
        ):
            await conn.execute(
                text(
                    "INSERT INTO topic_preference"
                    " (person_id, kind, topic_key, tenant_id, topic, created_at)"
                    " VALUES (:p, :k, :key, :t, :topic, :at)"
                ),
                {"p": who, "k": kind, "key": key, "t": tenant, "topic": topic, "at": at},
            )


async def _keys(db: Database) -> list[tuple[str, str, str]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT person.user_id, kind, topic_key FROM topic_preference"
                " JOIN person ON person.id = topic_preference.person_id ORDER BY 1, 2, 3"
            )
        )
        return [tuple(row) for row in rows]


async def test_upgrading_rekeys_accented_topics_and_hiding_still_hides(empty_db):
    db = empty_db
    await _preferences_at_0017(db)
    await upgrade(db)
    await check(db)
    assert await _keys(db) == [
        ("bob", "ask", "cafe"),
        ("bob", "hide", "zurich"),
        ("carol", "hide", "zurich"),
    ]

    bot = Bot(db=db, clock=ManualClock(START), settings=Settings())
    await _say(bot, ACME, "bob", "set up the Zürich office network")
    await _say(bot, ACME, "dave", "zurich office wifi survey done")
    answer = await _say(bot, ACME, "alice", "who zurich")
    assert "dave" in answer and "bob" not in answer

    await _downgrade(db, BEFORE)
    assert await _keys(db) == [
        ("bob", "ask", "café"),
        ("bob", "hide", "zürich"),
        ("carol", "hide", "zurich"),  # her two rows became one, the one typed "zurich"
    ]
    await upgrade(db)
    await check(db)
