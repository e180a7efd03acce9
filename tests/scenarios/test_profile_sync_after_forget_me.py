"""A platform's profile sync (``ProfileChanged``: name, time zone, team) of someone forgotten
stores nothing of them: it made their person row again, without them using the bot, and with a
row their mark was never cleared, so once back a private channel's reader list never counted
for them. Someone back after a forget-me is a fresh start whether or not a row exists
(``Turn.still_here`` clears the mark under their user id)."""

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
    ProfileChanged,
    TenantRef,
    UserRef,
)
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import ChannelMember, Person, TenantSetting
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


async def test_a_profile_sync_after_forget_me_stores_no_person(
    db: Database, clock: ManualClock
) -> None:
    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    await bot.handle(
        ProfileChanged(
            tenant=TENANT,
            user=UserRef(user_id="U2", display_name="Una Two"),
            timezone="Europe/Berlin",
            occurred_at=START,
        )
    )
    async with db.snapshot() as session:
        people = (await session.exec(select(Person).where(Person.user_id == "U2"))).all()
    assert people == []  # before: the row (name, time zone) was back without them using the bot


async def test_back_after_a_profile_sync_the_reader_list_counts_again(
    db: Database, clock: ManualClock
) -> None:
    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    await bot.handle(
        ProfileChanged(
            tenant=TENANT,
            user=UserRef(user_id="U2", display_name="Una Two"),
            timezone="Europe/Berlin",
            occurred_at=START,
        )
    )
    # U2 uses the bot again (a narration in #general): the fresh start.
    assert "Noted" in "\n".join(r.text for r in await bot.handle(_command("U2", "back at it")))
    async with db.snapshot() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
    assert not [k for k in keys if k.startswith("privacy.forgotten:")], keys  # before: stuck
    # The private channel's readers are re-read (Slack, before a command there): U2 is listed.
    await bot.handle(_described("U1", "U2", "U3"))
    assert [m.user_id for m in await _members(db, "U2")] == ["U2"]  # before: left out for good


async def _marks(db: Database) -> list[str]:
    async with db.snapshot() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
    return [k for k in keys if k.startswith("privacy.forgotten:")]


async def test_coverage_a_second_forget_me_and_the_workspace_removal(
    db: Database, clock: ManualClock
) -> None:
    """Coverage (passed before): a second forget-me (no row) keeps one mark; a forget-me in
    another workspace marks only there; removing the workspace takes its marks."""
    from narrate_bot.storage import privacy as privacy_store
    from narrate_bot.storage import repositories as repo

    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    await bot.handle(_command("U2", "forget-me"))
    told = "\n".join(r.text for r in await bot.handle(_command("U2", "forget-me confirm")))
    assert "nothing stored" in told, told
    assert len(await _marks(db)) == 1
    async with db.transaction() as session:
        tenant = await repo.find_tenant(session, platform="console", external_id="T1")
        assert tenant is not None and tenant.id is not None
        await privacy_store.erase_tenant(session, tenant_id=tenant.id, dialect=db.dialect)
    assert await _marks(db) == []


async def test_back_with_a_row_made_meanwhile_the_reader_list_counts_again(
    db: Database, clock: ManualClock
) -> None:
    """A row made while they were forgotten (an older replica's profile sync) does not keep the
    mark: using the bot again clears it, row or not."""
    from narrate_bot.storage import repositories as repo

    bot = Bot(db=db, clock=clock, settings=Settings())
    await _forgotten_u2(bot, db)
    async with db.transaction() as session:
        tenant = await repo.find_tenant(session, platform="console", external_id="T1")
        assert tenant is not None and tenant.id is not None
        await repo.ensure_person(
            session, tenant_id=tenant.id, user_id="U2", display_name="Una Two", now=START
        )
    assert len(await _marks(db)) == 1
    assert "Noted" in "\n".join(r.text for r in await bot.handle(_command("U2", "back at it")))
    assert await _marks(db) == []
    await bot.handle(_described("U1", "U2", "U3"))
    assert [m.user_id for m in await _members(db, "U2")] == ["U2"]
