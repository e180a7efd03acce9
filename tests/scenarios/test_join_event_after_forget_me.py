"""A platform's join event (``MembershipChanged``) for someone forgotten stores no membership:
it was stored at once, though their erasure says nothing the platform says of them is stored
again until they use the bot (``set_members`` already left them out of a reader list)."""

from __future__ import annotations

import itertools

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import (
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    MembershipChanged,
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


def _command(user: str, words: str, channel: ChannelRef = GENERAL) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"forgotten-{next(_ids)}",
        tenant=TENANT,
        user=UserRef(user_id=user, display_name=user),
        channel=channel,
        occurred_at=START,
        command="/narrate",
        text=words,
    )


def _described(*members: str) -> ChannelDescribed:
    return ChannelDescribed(tenant=TENANT, channel=SECRET, members=members, occurred_at=START)


async def _members(db: Database, user_id: str) -> list[ChannelMember]:
    async with db.snapshot() as session:
        return list(
            (
                await session.exec(select(ChannelMember).where(ChannelMember.user_id == user_id))
            ).all()
        )


async def _forgotten_u2(bot: Bot, db: Database) -> None:
    await bot.handle(_described("U1", "U2"))
    await bot.handle(_command("U1", "rotated the vault keys", SECRET))
    await bot.handle(_command("U2", "tidied the ledger exports"))
    assert await _members(db, "U2")
    await bot.handle(_command("U2", "forget-me"))
    told = "\n".join(r.text for r in await bot.handle(_command("U2", "forget-me confirm")))
    assert "Done" in told, told
    assert await _members(db, "U2") == []


async def test_a_join_event_stores_no_membership_of_a_forgotten_person(
    db: Database, clock: ManualClock
) -> None:
    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    await bot.handle(
        MembershipChanged(
            tenant=TENANT, channel=SECRET, user_id="U2", joined=True, occurred_at=START
        )
    )
    assert await _members(db, "U2") == []  # before: the join was stored


async def test_coverage_a_join_event_of_someone_back_is_stored(
    db: Database, clock: ManualClock
) -> None:
    """Coverage: once they use the bot again, a join is stored as anyone's."""
    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    assert "Noted" in "\n".join(r.text for r in await bot.handle(_command("U2", "back at it")))
    await bot.handle(
        MembershipChanged(
            tenant=TENANT, channel=SECRET, user_id="U2", joined=True, occurred_at=START
        )
    )
    assert [m.user_id for m in await _members(db, "U2")] == ["U2"]
