"""A channel Slack lists as private is stored private even when stored as the bot's to leave.

Re-learning a returning person's channels, a channel stored as public that Slack now lists as
private (``users.conversations`` lists only private channels the bot is in) was left public
when its row also said the bot had left it (a removal told out of order, or never undone by a
rejoin unheard): its narrations kept reaching the whole workspace. It is now stored private,
with no readers written: the bot's removal cleared them, and Slack's list, read before this,
is never wider than what the removal left.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from narrate_bot.events import Platform, TenantRef
from narrate_bot.features import channels
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.tables import Channel

T = TenantRef(platform=Platform.SLACK, tenant_id="T1", name="Acme")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


async def _stored_public(db, *, bot_left: bool) -> int:
    async with db.transaction() as s:
        t = await repo.ensure_tenant(s, platform="slack", external_id="T1", name="Acme", now=NOW)
        assert t.id is not None
        ch = await repo.ensure_channel(
            s, tenant_id=t.id, channel_id="C7", name="roadmap", kind="public"
        )
        ch.bot_left = bot_left
        s.add(ch)
        await s.flush()
        assert ch.id is not None
        return ch.id


async def _stored(db, pk: int) -> tuple[str, bool, set[str]]:
    async with db.snapshot() as s:
        row = (await s.exec(select(Channel).where(Channel.id == pk))).one()
        return row.kind, row.bot_left, await repo.members_of(s, channel_pk=pk)


async def test_stored_public_with_the_bot_gone_is_made_private_with_no_readers(db):
    pk = await _stored_public(db, bot_left=True)
    wrote = await channels.found_private(db, tenant=T, channel_id="C7", members=["U1", "U2"])
    # Before: left public, its narrations shown to the whole workspace.
    assert wrote
    assert await _stored(db, pk) == ("private", True, set())


async def test_stored_public_with_the_bot_in_gets_slacks_readers(db):
    pk = await _stored_public(db, bot_left=False)
    wrote = await channels.found_private(db, tenant=T, channel_id="C7", members=["U1", "U2"])
    assert wrote
    assert await _stored(db, pk) == ("private", False, {"U1", "U2"})
