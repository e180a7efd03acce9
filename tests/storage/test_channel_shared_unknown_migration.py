"""Migration 0022: every private channel of a Slack workspace whose sharing was never learned
(0010 started every existing row as not shared) counts as shared until Slack says otherwise;
public channels, DMs and other platforms' channels keep what they had. Up, down and up again
keep the data on both engines."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START, at_revision
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0021_channel_archived_bot_left"


async def _channels_at_0021(db: Database) -> None:
    await at_revision(db, BEFORE)
    at = START.astimezone(UTC)
    tenant = "INSERT INTO tenant (platform, external_id, name, created_at) VALUES (:p, :e, :e, :at)"
    slack = await _insert(db, tenant, p="slack", e="T1", at=at)
    discord = await _insert(db, tenant, p="discord", e="G1", at=at)
    channel = (
        "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
        " VALUES (:t, :c, :c, :k, :s)"
    )
    for owner, channel_id, kind, shared in (
        (slack, "C-partner", "private", False),  # stored before 0010: never learned
        (slack, "C-connect", "private", True),  # learned since
        (slack, "C-general", "public", False),
        (slack, "D-alice", "direct", False),
        (discord, "C-mods", "private", False),
    ):
        await _insert(db, channel, t=owner, c=channel_id, k=kind, s=shared)


async def _flags(db: Database) -> dict[str, bool]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT channel_id, shared FROM channel"))
        return {row.channel_id: bool(row.shared) for row in rows}


EXPECTED = {
    "C-partner": True,
    "C-connect": True,
    "C-general": False,
    "D-alice": False,
    "C-mods": False,
}


async def test_slack_private_channels_never_known_shared_count_as_shared(empty_db):
    await _channels_at_0021(empty_db)
    assert not (await _flags(empty_db))["C-partner"]
    await upgrade(empty_db)
    await check(empty_db)
    assert await _flags(empty_db) == EXPECTED


async def test_down_and_up_again_keeps_every_channel_and_its_flag(empty_db):
    await _channels_at_0021(empty_db)
    await upgrade(empty_db)
    await _downgrade(empty_db, BEFORE)
    assert await _flags(empty_db) == EXPECTED
    await upgrade(empty_db)
    await check(empty_db)
    assert await _flags(empty_db) == EXPECTED
