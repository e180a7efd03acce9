"""Migration 0015: Slack group DMs stored before it lose the handles in their names, so a
forgotten member's handle isn't left in the other members' exports."""

from __future__ import annotations

import json
from datetime import UTC

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from tests.conftest import START, at_revision
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0014_open_questions"
HANDLES = "mpdm-alice.smith--bob.jones--carol.wu-1"


async def _channels_at_0014(db: Database) -> None:
    """A Slack workspace with a group DM (bob may read it) and a channel, and a Discord server
    with a channel someone happened to name "mpdm-…", as 0014 stored them."""
    await at_revision(db, BEFORE)
    at = START.astimezone(UTC)
    tenant = "INSERT INTO tenant (platform, external_id, name, created_at) VALUES (:p, :e, :e, :at)"
    slack = await _insert(db, tenant, p="slack", e="T1", at=at)
    discord = await _insert(db, tenant, p="discord", e="G1", at=at)
    channel = (
        "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
        " VALUES (:t, :c, :n, :k, false)"
    )
    group_dm = await _insert(db, channel, t=slack, c="C0MPDM", n=HANDLES, k="private")
    await _insert(db, channel, t=slack, c="C0GEN", n="general", k="public")
    await _insert(db, channel, t=discord, c="111", n="mpdm-fans", k="public")
    async with db.engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO channel_member (channel_pk, user_id) VALUES (:c, 'UBOB')"),
            {"c": group_dm},
        )


async def _names(db: Database) -> dict[str, str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT channel_id, name FROM channel"))
        return {row.channel_id: row.name for row in rows}


async def test_upgrading_renames_stored_slack_group_dms_and_nothing_else(empty_db):
    db = empty_db
    await _channels_at_0014(db)
    await upgrade(db)
    assert await _names(db) == {"C0MPDM": "group DM", "C0GEN": "general", "111": "mpdm-fans"}

    bot = Bot(db=db, clock=ManualClock(START), settings=Settings())
    [reply] = await bot.handle(
        CommandInvoked(
            event_id="export-bob",
            tenant=TenantRef(platform=Platform.SLACK, tenant_id="T1", name="T1"),
            user=UserRef(user_id="UBOB", display_name="bob"),
            channel=ChannelRef(channel_id="C0GEN", name="general"),
            occurred_at=START,
            command="narrate",
            text="export",
        )
    )
    assert reply.attachment is not None
    exported = json.loads(reply.attachment.content)
    assert exported["channel_memberships"] == [
        {"id": "C0MPDM", "name": "group DM", "kind": "private"}
    ]
    assert b"alice.smith" not in reply.attachment.content


async def test_downgrading_keeps_the_neutral_name_and_upgrading_again_is_harmless(empty_db):
    db = empty_db
    await _channels_at_0014(db)
    await upgrade(db)
    await _downgrade(db, BEFORE)
    assert (await _names(db))["C0MPDM"] == "group DM"  # the handles are kept nowhere
    await upgrade(db)
    assert await _names(db) == {"C0MPDM": "group DM", "C0GEN": "general", "111": "mpdm-fans"}
