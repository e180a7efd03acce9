"""A channel found back in (``open_questions._ask_platform``) forgets its readers
(``channel_sharing.keep_now`` -> ``back_in``, row locks on every membership of the channel) and
then, in the same transaction, stores the platform's list (``set_members``). A forget-me of one
of those readers on another replica deletes that person's memberships, among them a row the
first transaction deleted. Both hold the workspace's erasure mark before any membership row
(``repositories.hold_readers``, ``privacy._erase_by_user_id``), so one waits for the other:
before, the reader list waited for each listed user id's advisory lock while holding those
rows, and the erasure held the user id and waited for a row (PostgreSQL failed one of them,
deadlock detected). Driven step by step on PostgreSQL, with the erasure holding its user id
alone, or its user id and the mark, as the channel is found back in."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from narrate_bot.storage import channel_sharing, privacy
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from tests.conftest import START


async def _pid(session: AsyncSession) -> int:
    return int(
        (await (await session.connection()).execute(text("SELECT pg_backend_pid()"))).scalar_one()
    )


async def _waits_for(db: Database, pid: int) -> bool:
    blocked = text("SELECT COUNT(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    async with db.engine.connect() as conn:
        return bool((await conn.execute(blocked, {"pid": pid})).scalar_one())


@pytest.mark.parametrize("mark_held", [False, True], ids=["user-id-held", "mark-held"])
async def test_a_channel_found_back_in_and_a_forget_me_do_not_deadlock(
    db: Database, mark_held: bool
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: no two transactions hold locks at once")
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="console", external_id="T1", name="t", now=START
        )
        assert tenant.id is not None
        tenant_id = tenant.id
        secret = await repo.ensure_channel(
            session, tenant_id=tenant_id, channel_id="G1", name="secret", kind="private"
        )
        assert secret.id is not None
        pk = secret.id
        await repo.set_members(session, channel_pk=pk, user_ids=["U1", "U2"])
        await repo.ensure_person(
            session, tenant_id=tenant_id, user_id="U2", display_name="U2", now=START
        )
        await channel_sharing.keep_now(session, channel_pk=pk, bot_left=True)

    async def found_back_in() -> None:
        # ``_ask_platform``'s transaction: the bot is found back in, Slack lists U1 and U2.
        async with db.transaction() as session:
            await channel_sharing.keep_now(session, channel_pk=pk, bot_left=False)
            await repo.set_members(session, channel_pk=pk, user_ids=["U1", "U2"])

    failures: list[BaseException] = []
    reader: asyncio.Task[None] | None = None
    try:
        async with db.transaction() as erasure:
            await privacy.hold_user_id_to_erase(erasure, tenant_id=tenant_id, user_id="U2")
            if mark_held:
                await repo.set_setting(
                    erasure,
                    tenant_id=tenant_id,
                    key=privacy.ERASURE_MARK_KEY,
                    value="changed",
                    now=START,
                )
            eraser = await _pid(erasure)
            reader = asyncio.create_task(found_back_in())
            while not reader.done() and not await _waits_for(db, eraser):
                await asyncio.sleep(0.01)
            # Holding the mark, the erasure is waited for; holding the user id alone, not.
            assert reader.done() is not mark_held
            person = await repo.find_person(erasure, tenant_id=tenant_id, user_id="U2")
            assert person is not None
            await privacy.erase_person(erasure, person=person, dialect=db.dialect, now=START)
    except Exception as problem:  # before: DeadlockDetectedError in one of the two
        failures.append(problem)
    assert reader is not None
    try:
        await reader
    except Exception as problem:
        failures.append(problem)
    assert not failures, [type(f).__name__ + ": " + str(f)[:200] for f in failures]
    async with db.snapshot() as session:
        # U2's membership, stored before the erasure or after it, is not kept.
        assert await repo.members_of(session, channel_pk=pk) == {"U1"}
