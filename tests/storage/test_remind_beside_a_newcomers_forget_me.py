"""A newcomer's ``remind`` (no person row yet) sent while their forget-me runs on another
replica keeps nothing: it took them through ``Turn.person`` and ``hold_person`` alone, holding
no user id, so it didn't wait for the erasure; it stored a person row and a reminder after
"Done" (and cleared the forgotten mark the erasure then wrote beside that row). Now it takes
``Turn.still_here`` first, as other commands do. Driven step by step on PostgreSQL: the erasure
is held uncommitted while the command waits."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.features.schedule_settings import TENANT_ZONE_KEY
from narrate_bot.storage import privacy as privacy_store
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from tests.conftest import START
from tests.scenarios.forgotten_reader import SECRET
from tests.scenarios.forgotten_reader import command as _command


async def _waits_for(db: Database, pid: int) -> bool:
    blocked = text("SELECT COUNT(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    async with db.engine.connect() as conn:
        return bool((await conn.execute(blocked, {"pid": pid})).scalar_one())


async def _count(db: Database, query: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(query))).scalar_one())


async def test_a_newcomers_remind_beside_their_forget_me_keeps_nothing(
    db: Database, clock: ManualClock
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers")
    bot = Bot(db=db, clock=clock, settings=Settings())
    other_db = Database(db.url)
    other = Bot(db=other_db, clock=clock, settings=Settings())
    try:
        # U2 never used the bot: only a membership of #secret is kept (U1 asked there).
        await bot.handle(_command("U1", "who knows kafka", SECRET))
        async with db.transaction() as session:
            tenant = await repo.find_tenant(session, platform="console", external_id="T1")
            assert tenant is not None and tenant.id is not None
            channel = await repo.find_channel(session, tenant_id=tenant.id, channel_id="G1")
            assert channel is not None and channel.id is not None
            await repo.add_member(session, channel_pk=channel.id, user_id="U2")
            await repo.set_setting(
                session, tenant_id=tenant.id, key=TENANT_ZONE_KEY, value="Europe/Berlin", now=START
            )
        async with db.transaction() as session:
            # U2's forget-me (confirm_erasure with no person row), not yet committed.
            await privacy_store.hold_user_id_to_erase(session, tenant_id=tenant.id, user_id="U2")
            assert await privacy_store.erase_user(
                session, tenant_id=tenant.id, user_id="U2", now=START
            )
            eraser = int(
                (
                    await (await session.connection()).execute(text("SELECT pg_backend_pid()"))
                ).scalar_one()
            )
            # Meanwhile, on another replica, U2 sets a reminder: it waits for the erasure.
            command = asyncio.create_task(other.handle(_command("U2", "remind me weekdays 09:30")))
            while not command.done() and not await _waits_for(db, eraser):
                await asyncio.sleep(0.01)
            assert not command.done(), "the reminder didn't wait for the forget-me"
        said = await command
        assert "no reminder was set" in said[0].text, said[0].text
        marks = await _count(
            db, "SELECT COUNT(*) FROM tenant_setting WHERE key LIKE 'privacy.forgotten:%'"
        )
        people = await _count(db, "SELECT COUNT(*) FROM person WHERE user_id = 'U2'")
        reminders = await _count(db, "SELECT COUNT(*) FROM schedule")
        # before: marks 1, people 1, reminders 1 (kept after "Done", and the mark stuck).
        assert (marks, people, reminders) == (1, 0, 0)
    finally:
        await other_db.dispose()
