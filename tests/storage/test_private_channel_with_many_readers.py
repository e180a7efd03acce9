"""A private channel with thousands of readers (a large Slack private channel, the bot found
back in one, Discord's readers by role) is stored at its first description on PostgreSQL.
Holding one advisory lock per new reader in one transaction ran out of PostgreSQL's lock table
(``max_locks_per_transaction`` x ``max_connections``): "out of shared memory", and no reader
stored. The readers are now stored under one row lock (``repositories.hold_readers``)."""

from __future__ import annotations

import pytest

from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from tests.conftest import START


async def test_a_private_channel_with_25_000_readers_is_stored(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's lock table")
    readers = [f"U{i:05d}" for i in range(25_000)]
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="console", external_id="T1", name="t", now=START
        )
        assert tenant.id is not None
        channel = await repo.ensure_channel(
            session, tenant_id=tenant.id, channel_id="G1", name="big", kind="private"
        )
        assert channel.id is not None
        await repo.set_members(session, channel_pk=channel.id, user_ids=readers)
    async with db.snapshot() as session:
        assert len(await repo.members_of(session, channel_pk=channel.id)) == 25_000
