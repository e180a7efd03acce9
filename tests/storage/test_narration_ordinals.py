"""Short narration ids are never given twice: not after a delete, not to two writers at once,
and not after upgrading a database whose people had already deleted some."""

from __future__ import annotations

import asyncio
from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START, at_revision


async def _alice(db: Database) -> tuple[int, int, int]:
    """The console tenant, alice and #general: (tenant id, person id, channel pk)."""
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="console", external_id="local", name="local", now=START
        )
        assert tenant.id is not None
        person = await repo.ensure_person(
            session, tenant_id=tenant.id, user_id="alice", display_name="alice", now=START
        )
        channel = await repo.ensure_channel(
            session, tenant_id=tenant.id, channel_id="general", name="general", kind="public"
        )
        assert person.id is not None and channel.id is not None
        return tenant.id, person.id, channel.id


async def test_two_narrations_written_at_once_get_different_ids(db):
    tenant_id, person_id, channel_pk = await _alice(db)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def narrate(words: str, *, hold: bool) -> int:
        async with db.transaction() as session:
            narration = await repo.add_narration(
                session,
                tenant_id=tenant_id,
                person_id=person_id,
                channel_pk=channel_pk,
                text=words,
                source="command",
                audience="channel",
                topics=[],
                now=START,
            )
            if hold:
                holding.set()
                await release.wait()
            return narration.ordinal

    first = asyncio.create_task(narrate("kafka lag", hold=True))
    await holding.wait()
    second = asyncio.create_task(narrate("terraform modules", hold=False))
    await _until_waiting_on_the_first(db, second)
    release.set()
    assert sorted(await asyncio.gather(first, second)) == [1, 2]


async def _until_waiting_on_the_first(db: Database, second: asyncio.Task[int]) -> None:
    """PostgreSQL: until the second writer waits on the person row the first one holds.
    SQLite: its ``BEGIN IMMEDIATE`` waits for the first writer; give it a moment to get there."""
    if db.dialect != "postgresql":
        await asyncio.sleep(0.2)
        return
    waiting = text(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE 'UPDATE person%'"
    )
    for _ in range(200):
        assert not second.done(), second
        async with db.engine.connect() as conn:
            if (await conn.execute(waiting)).scalar_one():
                return
        await asyncio.sleep(0.025)
    raise AssertionError("the second narration never waited on the first")


async def test_many_narrations_at_once_each_get_their_own_id(chat, db):
    await chat.say("alice: /narrate the first one")
    lines = [f"alice: /narrate parallel note {i}" for i in range(8)]
    await asyncio.gather(*(chat.adapter.feed(line) for line in lines))
    async with db.engine.connect() as conn:
        ordinals = (await conn.execute(text("SELECT ordinal FROM narration"))).scalars().all()
    assert sorted(ordinals) == list(range(1, 10))


async def test_upgrading_starts_each_counter_at_the_highest_id_already_given(empty_db):
    """Before 0013, alice deleted #2 (her narrations are #1 and #3) and bob never narrated."""
    db = empty_db
    await at_revision(db, "0012_person_departed")
    at = START.astimezone(UTC)
    async with db.engine.begin() as conn:

        async def insert(statement: str, **values: object) -> int:
            row = await conn.execute(text(statement + " RETURNING id"), values)
            return int(row.scalar_one())

        tenant = await insert(
            "INSERT INTO tenant (platform, external_id, name, created_at)"
            " VALUES ('console', 'local', 'local', :at)",
            at=at,
        )
        person = (
            "INSERT INTO person (tenant_id, user_id, display_name, consent, created_at)"
            " VALUES (:t, :u, :u, 'joined', :at)"
        )
        alice = await insert(person, t=tenant, u="alice", at=at)
        await insert(person, t=tenant, u="bob", at=at)
        channel = await insert(
            "INSERT INTO channel (tenant_id, channel_id, name, kind)"
            " VALUES (:t, 'general', 'general', 'public')",
            t=tenant,
        )
        for ordinal in (1, 3):
            await insert(
                "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source,"
                " audience, text, created_at) VALUES (:t, :p, :c, :o, 'command', 'channel',"
                " :x, :at)",
                t=tenant,
                p=alice,
                c=channel,
                o=ordinal,
                x=f"note {ordinal}",
                at=at,
            )
    await upgrade(db)
    await check(db)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT user_id, last_ordinal FROM person"))
        counters = {row.user_id: row.last_ordinal for row in rows}
    assert counters == {"alice": 3, "bob": 0}
