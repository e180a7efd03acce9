"""A private channel's reader list that names someone forgotten (never stored, always listed)
is taken as already stored (``channels._as_described``): every command in that channel took
the write path (SQLite's write lock) for as long as they stayed in it."""

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


async def test_a_re_read_listing_a_forgotten_reader_writes_nothing(
    db: Database, clock: ManualClock
) -> None:
    """Slack re-reads a private channel before every command there and writes only when the
    stored readers differ (``channels._as_described``, read in a snapshot so SQLite's write lock
    is spared). A forgotten reader is never stored but always listed: every command in that
    channel takes the write path again, for as long as they stay in it (before: ``False``)."""
    from narrate_bot.features import channels

    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    await bot.handle(_described("U1", "U2"))
    assert await channels._as_described(db, _described("U1", "U2"))


async def test_coverage_a_re_read_with_someone_new_beside_a_forgotten_reader_is_stored(
    db: Database, clock: ManualClock
) -> None:
    """Coverage: someone new listed beside them is still a difference, and stored."""
    from narrate_bot.features import channels

    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    assert not await channels._as_described(db, _described("U1", "U2", "U3"))
    await bot.handle(_described("U1", "U2", "U3"))
    assert [m.user_id for m in await _members(db, "U3")] == ["U3"]
    assert await _members(db, "U2") == []
    assert not await channels._as_described(db, _described("U2", "U3"))
