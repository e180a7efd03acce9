"""A forget-me and a newcomer's command take the same two locks in the same order: the user id's
advisory lock, then the person row.

A newcomer's command holds their user id (shared, ``privacy.hold_unknown_user``) before it
writes anything; meanwhile their other command, on another replica, stores their person row,
and their forget-me holds that row. The erasure took the row first and then waited for the user
id, while the command held the user id and then waited for the row: PostgreSQL broke the
deadlock by failing one of them. Driven step by step on PostgreSQL (each wait seen in
``pg_locks``, never guessed from time); SQLite serializes writers.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from narrate_bot.storage import privacy
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from tests.conftest import START


async def _pid(session) -> int:
    return int(
        (await (await session.connection()).execute(text("SELECT pg_backend_pid()"))).scalar_one()
    )


async def _waits_for(db: Database, pid: int) -> bool:
    blocked = text("SELECT COUNT(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    async with db.engine.connect() as conn:
        return bool((await conn.execute(blocked, {"pid": pid})).scalar_one())


async def _until_waiting(db: Database, task: asyncio.Task[object], pid: int) -> None:
    while not task.done() and not await _waits_for(db, pid):
        await asyncio.sleep(0.01)
    assert not task.done(), "it didn't wait"


async def test_a_forget_me_waits_for_a_newcomers_command_without_holding_their_row(
    db: Database,
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: no two transactions hold locks at once")
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="console", external_id="T1", name="t", now=START
        )
        assert tenant.id is not None
        tenant_id = tenant.id
    erased: list[int] = []

    async def forget_me() -> None:
        async with db.transaction() as session:
            person = await repo.find_person(session, tenant_id=tenant_id, user_id="U1")
            assert person is not None
            erased.append(
                await privacy.erase_person(session, person=person, dialect=db.dialect, now=START)
            )

    async with db.transaction() as command:
        # The newcomer's command: no person row yet, so it holds their user id.
        assert await repo.find_person(command, tenant_id=tenant_id, user_id="U1") is None
        assert await privacy.hold_unknown_user(command, tenant_id=tenant_id, user_id="U1")
        holder = await _pid(command)
        # Their other command, on another replica, stores their row meanwhile.
        async with db.transaction() as other:
            await repo.ensure_person(
                other, tenant_id=tenant_id, user_id="U1", display_name="U1", now=START
            )
        # Their forget-me begins, and waits for the command.
        erasing = asyncio.create_task(forget_me())
        await _until_waiting(db, erasing, holder)
        # The command goes on to their row (as ``Turn.author`` does once it is there).
        found = await repo.find_person(command, tenant_id=tenant_id, user_id="U1")
        assert found is not None and found.id is not None
        assert await repo.hold_person(command, person_id=found.id)
    await erasing
    assert erased == [0]
    async with db.snapshot() as session:
        assert await repo.find_person(session, tenant_id=tenant_id, user_id="U1") is None
