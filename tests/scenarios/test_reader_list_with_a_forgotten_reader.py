"""A private channel's reader list that names someone forgotten (never stored, always listed)
is taken as already stored (``channels._as_described``): every command in that channel took
the write path (SQLite's write lock) for as long as they stayed in it."""

from __future__ import annotations

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from tests.scenarios.forgotten_reader import described, forgotten_u2, members


async def test_a_re_read_listing_a_forgotten_reader_writes_nothing(
    db: Database, clock: ManualClock
) -> None:
    """Slack re-reads a private channel before every command there and writes only when the
    stored readers differ (``channels._as_described``, read in a snapshot so SQLite's write lock
    is spared). A forgotten reader is never stored but always listed: every command in that
    channel takes the write path again, for as long as they stay in it (before: ``False``)."""
    from narrate_bot.features import channels

    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    await bot.handle(described("U1", "U2"))
    assert await channels._as_described(db, described("U1", "U2"))


async def test_coverage_a_re_read_with_someone_new_beside_a_forgotten_reader_is_stored(
    db: Database, clock: ManualClock
) -> None:
    """Coverage: someone new listed beside them is still a difference, and stored."""
    from narrate_bot.features import channels

    bot = Bot(db=db, clock=clock, settings=Settings())
    await forgotten_u2(bot, db)
    assert not await channels._as_described(db, described("U1", "U2", "U3"))
    await bot.handle(described("U1", "U2", "U3"))
    assert [m.user_id for m in await members(db, "U3")] == ["U3"]
    assert await members(db, "U2") == []
    assert not await channels._as_described(db, described("U2", "U3"))
