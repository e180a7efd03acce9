"""A command in someone's DM with the bot, waiting for their forget-me that commits first on
another replica, leaves no row of that DM behind: the DM is about them alone (the erasure
deletes it), and the command used to store it again, empty, as it went on. Driven step by step
on PostgreSQL: the erasure is held uncommitted until the command is seen waiting for it in
PostgreSQL's locks."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import (
    ChannelKind,
    ChannelRef,
)
from narrate_bot.storage import privacy as privacy_store
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from tests.conftest import START
from tests.scenarios.forgotten_reader import GENERAL
from tests.scenarios.forgotten_reader import command as _command

THEIR_DM = ChannelRef(channel_id="D1", name="", kind=ChannelKind.DIRECT)


async def _count(db: Database, query: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(query))).scalar_one())


async def _waits_for(db: Database, pid: int) -> bool:
    blocked = text("SELECT COUNT(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    async with db.engine.connect() as conn:
        return bool((await conn.execute(blocked, {"pid": pid})).scalar_one())


async def test_a_question_in_their_dm_waiting_for_their_erasure_stores_no_dm(
    db: Database, clock: ManualClock
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: a forget-me can't commit while a command waits")
    bot = Bot(db=db, clock=clock, settings=Settings())
    other_db = Database(db.url)
    other = Bot(db=other_db, clock=clock, settings=Settings())
    try:
        await bot.handle(_command("U2", "kafka consumer lag in billing", GENERAL))
        await bot.handle(_command("U1", "first narration about the ledger", GENERAL))
        async with db.transaction() as session:
            tenant = await repo.find_tenant(session, platform="console", external_id="T1")
            assert tenant is not None and tenant.id is not None
            person = await repo.find_person(session, tenant_id=tenant.id, user_id="U1")
            assert person is not None
            await privacy_store.erase_person(session, person=person, dialect=db.dialect, now=START)
            conn = await session.connection()
            eraser = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            # The question arrives in U1's DM on another replica while the erasure holds them.
            asking = asyncio.create_task(other.handle(_command("U1", "who kafka", THEIR_DM)))
            while not asking.done() and not await _waits_for(db, eraser):
                await asyncio.sleep(0.01)
            assert not asking.done(), "the question didn't wait for the erasure"
        answer = "\n".join(reply.text for reply in await asking)
        assert "<@U2>" in answer  # still answered, as for someone the bot doesn't know
        assert await _count(db, "SELECT COUNT(*) FROM channel WHERE channel_id = 'D1'") == 0
        assert await _count(db, "SELECT COUNT(*) FROM channel_member WHERE user_id = 'U1'") == 0
        assert await _count(db, "SELECT COUNT(*) FROM person WHERE user_id = 'U1'") == 0
    finally:
        await other_db.dispose()
