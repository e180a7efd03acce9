"""A join the platform tells about someone forgotten (``MembershipChanged``, ``by_actor``
false: someone added them, a gateway update) stores nothing of them, as a reader list doesn't.
The same join learned because they are using the bot themselves (``by_actor``: Discord re-checks
its actor's access before their command, so before the command clears the mark) is their fresh
start, and stored: filtering that one too lost a returning person their private channels."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import MembershipChanged
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Person, TenantSetting
from tests.conftest import START
from tests.scenarios.forgotten_reader import SECRET, TENANT, command, forgotten_u2, members


def _joined(*, by_actor: bool) -> MembershipChanged:
    return MembershipChanged(
        tenant=TENANT,
        channel=SECRET,
        user_id="U2",
        joined=True,
        occurred_at=START,
        by_actor=by_actor,
    )


async def _marks(db: Database) -> list[str]:
    async with db.snapshot() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
    return [k for k in keys if k.startswith("privacy.forgotten:")]


async def test_a_join_told_about_someone_forgotten_stores_nothing(
    db: Database, clock: ManualClock
) -> None:
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    await bot.handle(_joined(by_actor=False))
    assert await members(db, "U2") == []  # before: the join was stored
    async with db.snapshot() as session:
        assert (await session.exec(select(Person).where(Person.user_id == "U2"))).all() == []
    assert len(await _marks(db)) == 1  # still forgotten


async def test_their_own_join_is_a_fresh_start_stored_before_their_command(
    db: Database, clock: ManualClock
) -> None:
    """Their access re-checked before their command: stored, and the mark cleared, so the answer
    to that very command reads the channel; the command then finds them back already."""
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    await bot.handle(_joined(by_actor=True))
    assert [m.user_id for m in await members(db, "U2")] == ["U2"]
    assert await _marks(db) == []
    told = "\n".join(r.text for r in await bot.handle(command("U2", "who knows about vault?")))
    assert "rotated the vault keys" in told, told  # #secret read for them


async def test_coverage_a_join_told_about_someone_back_is_stored(
    db: Database, clock: ManualClock
) -> None:
    """Coverage: once they used the bot again, a join told about them is stored as anyone's."""
    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    assert "Noted" in "\n".join(r.text for r in await bot.handle(command("U2", "back at it")))
    await bot.handle(_joined(by_actor=False))
    assert [m.user_id for m in await members(db, "U2")] == ["U2"]
