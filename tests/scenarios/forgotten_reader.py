"""A workspace where U2 read the private channel #secret, then was forgotten: the set-up shared
by the tests of what a platform may store of someone forgotten (reader lists, profile syncs)."""

from __future__ import annotations

import itertools

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.events import (
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    Platform,
    TenantRef,
    UserRef,
)
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import ChannelMember
from tests.conftest import START

TENANT = TenantRef(platform=Platform.CONSOLE, tenant_id="T1", name="workspace")
GENERAL = ChannelRef(channel_id="C1", name="general")
SECRET = ChannelRef(channel_id="G1", name="secret", kind=ChannelKind.PRIVATE)
_ids = itertools.count()


def command(user: str, words: str, channel: ChannelRef = GENERAL) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"forgotten-{next(_ids)}",
        tenant=TENANT,
        user=UserRef(user_id=user, display_name=user),
        channel=channel,
        occurred_at=START,
        command="/narrate",
        text=words,
    )


def described(*members: str) -> ChannelDescribed:
    return ChannelDescribed(tenant=TENANT, channel=SECRET, members=members, occurred_at=START)


async def members(db: Database, user_id: str) -> list[ChannelMember]:
    async with db.snapshot() as session:
        return list(
            (
                await session.exec(select(ChannelMember).where(ChannelMember.user_id == user_id))
            ).all()
        )


async def forgotten_u2(bot: Bot, db: Database) -> None:
    await bot.handle(described("U1", "U2"))
    await bot.handle(command("U1", "rotated the vault keys", SECRET))
    await bot.handle(command("U2", "tidied the ledger exports"))
    assert await members(db, "U2")
    await bot.handle(command("U2", "forget-me"))
    told = "\n".join(r.text for r in await bot.handle(command("U2", "forget-me confirm")))
    assert "Done" in told, told
    assert await members(db, "U2") == []
