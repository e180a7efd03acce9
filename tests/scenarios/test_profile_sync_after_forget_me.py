"""A platform's profile sync (``ProfileChanged``: name, time zone, team) of someone forgotten
stores nothing of them: it made their person row again, without them using the bot, and with a
row their mark was never cleared, so once back a private channel's reader list never counted
for them. Someone back after a forget-me is a fresh start whether or not a row exists
(``Turn.still_here`` clears the mark under their user id)."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import ProfileChanged, UserRef
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Person, TenantSetting
from tests.conftest import START
from tests.scenarios.forgotten_reader import TENANT, command, described, forgotten_u2, members


async def test_a_profile_sync_after_forget_me_stores_no_person(
    db: Database, clock: ManualClock
) -> None:
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
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
    await forgotten_u2(bot, db)
    await bot.handle(
        ProfileChanged(
            tenant=TENANT,
            user=UserRef(user_id="U2", display_name="Una Two"),
            timezone="Europe/Berlin",
            occurred_at=START,
        )
    )
    # U2 uses the bot again (a narration in #general): the fresh start.
    assert "Noted" in "\n".join(r.text for r in await bot.handle(command("U2", "back at it")))
    async with db.snapshot() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
    assert not [k for k in keys if k.startswith("privacy.forgotten:")], keys  # before: stuck
    # The private channel's readers are re-read (Slack, before a command there): U2 is listed.
    await bot.handle(described("U1", "U2", "U3"))
    assert [m.user_id for m in await members(db, "U2")] == ["U2"]  # before: left out for good


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
    await forgotten_u2(bot, db)
    await bot.handle(command("U2", "forget-me"))
    told = "\n".join(r.text for r in await bot.handle(command("U2", "forget-me confirm")))
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
    await forgotten_u2(bot, db)
    async with db.transaction() as session:
        tenant = await repo.find_tenant(session, platform="console", external_id="T1")
        assert tenant is not None and tenant.id is not None
        await repo.ensure_person(
            session, tenant_id=tenant.id, user_id="U2", display_name="Una Two", now=START
        )
    assert len(await _marks(db)) == 1
    assert "Noted" in "\n".join(r.text for r in await bot.handle(command("U2", "back at it")))
    assert await _marks(db) == []
    await bot.handle(described("U1", "U2", "U3"))
    assert [m.user_id for m in await members(db, "U2")] == ["U2"]
