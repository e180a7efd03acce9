"""Discord: a role change that lets the bot see and post in a channel again tells the core the
bot is back in it, as a channel's permission overwrites already did: an edit Discord refused
there while the bot was out (a form update's post behind an older replica's edit) is made at
the next wake-up, not a week on. Through the real discord.py client against the fake gateway,
with no privileged intent:

* GUILD_ROLE_UPDATE (the guilds intent) giving a role of the bot View Channel;
* GUILD_MEMBER_UPDATE for the bot's own member, which Discord sends "regardless of whether the
  GUILD_MEMBERS intent is set", giving the bot a role a channel's overwrites let in;
* a fresh gateway session (READY, then GUILD_CREATE) after access came back while the bot was
  disconnected, when no event for the change is ever sent.

A role change that doesn't open a channel to the bot tells nothing. Before this change neither
event said anything of the bot's own access: the refused edit waited its week.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock

from .fake import APP, BOT, GENERAL, GUILD, KEEPERS, PRIVATE, SECRET, VIEW, FakeDiscord, member
from .fake import text_channel as channel
from .test_update_posts import _prompted, _submit

SEND = 1 << 11
BOTS = "2200"  # the bot's own role, as Discord makes it when the bot is invited
EARLY = datetime(2000, 1, 1, tzinfo=UTC)  # due at once: before any wake-up's time
OLD_EDIT = "UPDATE narration SET text = 'shipped the ledger exporter' WHERE id = :narration"
MISSING_ACCESS = {"message": "Missing Access", "code": 50001}


def _role(rid: str, name: str, permissions: int, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "name": name, "permissions": str(permissions), "position": 1, "color": 0,
            "hoist": False, "managed": False, "mentionable": False, **extra}  # fmt: skip


EVERYONE = _role(GUILD, "@everyone", VIEW | SEND | (1 << 16), position=0)
BOTS_ROLE = _role(BOTS, "narrate-bot", 0, managed=True, tags={"bot_id": APP})


async def _scalar(bot: Bot, sql: str, **values: object) -> object:
    async with bot.db.engine.connect() as conn:
        return (await conn.execute(text(sql), values)).scalar()


async def _eventually(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never")


async def _kind(bot: Bot, channel_id: str, kind: str) -> None:
    async def described() -> bool:
        sql = "SELECT kind FROM channel WHERE channel_id = :c"
        return await _scalar(bot, sql, c=channel_id) == kind

    await _eventually(described)


async def _handled(fake: FakeDiscord, bot: Bot, name: str) -> None:
    """Wait until every event sent before now was handled: a rename sent after them is stored
    (discord.py starts each event's handler in the order the events came)."""
    await fake.dispatch("CHANNEL_UPDATE", channel(SECRET, name, PRIVATE))

    async def renamed() -> bool:
        sql = "SELECT name FROM channel WHERE channel_id = :c"
        return await _scalar(bot, sql, c=SECRET) in (name, f"#{name}")

    await _eventually(renamed)


def _edits(fake: FakeDiscord, thread: str) -> list[int]:
    return [c.status for c in fake.posted(f"/channels/{thread}/messages/", "PATCH")]


async def _refused_edit(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any, shut_out: Callable[[], Any]
) -> str:
    """A form update's post in #general's prompt thread, which the bot is then shut out of; an
    older replica's edit of its narration, and Discord refuses the repair (403): its week is set.
    Returns the thread."""
    thread, prompt = await _prompted(fake, bot, clock, connect)
    assert "Posted in the prompt's thread" in await _submit(fake, prompt, "shipped the importer")
    await shut_out()
    narration = await _scalar(bot, "SELECT id FROM narration")
    async with bot.db.engine.begin() as conn:
        await conn.execute(text(OLD_EDIT), {"narration": narration})
    fake.fail("PATCH", rf"^/channels/{thread}/messages/\d+$", 403, MISSING_ACCESS, times=1)
    await bot.run_due(clock.now())
    assert _edits(fake, thread) == [403]
    return thread


async def _made_due(bot: Bot) -> None:
    async def due() -> bool:
        sql = "SELECT count(*) FROM update_post WHERE resync_at < :early"
        return await _scalar(bot, sql, early=EARLY) == 1

    await _eventually(due)


async def _edited_at_the_next_wake_up(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, thread: str
) -> None:
    await bot.run_due(clock.now() + timedelta(minutes=2))  # the next wake-up, not a week later
    assert _edits(fake, thread) == [403, 200]
    edit = fake.posted(f"/channels/{thread}/messages/", "PATCH")[-1]
    assert "shipped the ledger exporter" in edit.body["content"]


async def test_a_role_update_letting_the_bot_in_makes_the_refused_edit_due(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    fake.guild["roles"].append(BOTS_ROLE)
    fake.guild["members"][0] = member(BOT, [BOTS])

    async def everyone_loses_view() -> None:
        everyone = EVERYONE | {"permissions": "0"}
        await fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": GUILD, "role": everyone})
        await _kind(bot, GENERAL, "private")

    thread = await _refused_edit(fake, bot, clock, connect, everyone_loses_view)
    # A role change that doesn't let the bot in says nothing: the week stands.
    keepers = _role(KEEPERS, "keepers", VIEW | SEND)
    await fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": GUILD, "role": keepers})
    await _handled(fake, bot, "secret-2")
    await bot.run_due(clock.now() + timedelta(minutes=1))
    assert _edits(fake, thread) == [403]
    # The bot's own role is given View Channel and Send Messages.
    bots = BOTS_ROLE | {"permissions": str(VIEW | SEND)}
    await fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": GUILD, "role": bots})
    await _made_due(bot)
    await _edited_at_the_next_wake_up(fake, bot, clock, thread)


async def test_a_role_given_to_the_bot_makes_the_refused_edit_due(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    async def keepers_only() -> None:
        await fake.dispatch("CHANNEL_UPDATE", channel(GENERAL, "general", PRIVATE))
        await _kind(bot, GENERAL, "private")

    thread = await _refused_edit(fake, bot, clock, connect, keepers_only)
    bot_member = member(BOT, []) | {"guild_id": GUILD}
    # The bot's member changes without reaching #general (a nickname): nothing is said.
    await fake.dispatch("GUILD_MEMBER_UPDATE", bot_member | {"nick": "narrator"})
    await _handled(fake, bot, "secret-2")
    await bot.run_due(clock.now() + timedelta(minutes=1))
    assert _edits(fake, thread) == [403]
    # Someone gives the bot the keepers role, which #general's overwrites let in.
    await fake.dispatch("GUILD_MEMBER_UPDATE", bot_member | {"roles": [KEEPERS]})
    await _made_due(bot)
    await _edited_at_the_next_wake_up(fake, bot, clock, thread)


async def test_access_given_back_while_disconnected_is_noticed_on_the_next_session(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    async def shut_out() -> None:
        await fake.dispatch("CHANNEL_UPDATE", channel(GENERAL, "general", PRIVATE))
        await _kind(bot, GENERAL, "private")

    thread = await _refused_edit(fake, bot, clock, connect, shut_out)
    # While the bot is disconnected #general is opened again (no CHANNEL_UPDATE reaches it);
    # Discord then ends the session, and the new one's GUILD_CREATE has #general as it is now.
    assert fake.guild["channels"][0] == channel(GENERAL, "general")
    assert fake.ws is not None
    await fake.ws.send_json({"op": 9, "d": False})  # INVALID_SESSION, not resumable
    await _made_due(bot)
    await _edited_at_the_next_wake_up(fake, bot, clock, thread)
