"""A live channel change that arrives while a guild's first look tells its channels one by one
(through the per-guild lock) is not overwritten by the look's older word on that channel."""

from __future__ import annotations

import asyncio
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.events import ChannelDescribed, Event

from .fake import APP, GENERAL, GUILD, PRIVATE, SECRET, VIEW, FakeDiscord
from .fake import text_channel as channel
from .test_bot_back_by_role import SEND, _eventually, _scalar
from .test_bot_lost_while_down import _stored_in

BOT_IN = [{"id": APP, "type": 1, "allow": str(VIEW | SEND), "deny": "0"}]


async def test_a_live_change_during_the_first_look_is_not_overwritten(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """The first look computes every channel's ``bot_in`` once, then tells them one by one
    through the per-guild lock (serial.PerGuild). #secret (stored in, not reached: to be told
    out) is opened to the bot by a CHANNEL_UPDATE while the loop is at #general; the live
    "back in" queues on the lock ahead of the loop's #secret and is handled, then the loop tells
    #secret's stale ``False``: stored as left while the bot reaches it (``_reach`` holding it,
    nothing corrects that until the next restart)."""
    first = await connect(bot)
    await _stored_in(bot, GENERAL, SECRET)
    await first.close()

    real = bot.handle
    held, go = asyncio.Event(), asyncio.Event()
    done: list[ChannelDescribed] = []

    async def handle(event: Event) -> Any:
        if (
            isinstance(event, ChannelDescribed)
            and event.channel.channel_id == GENERAL
            and not held.is_set()
        ):
            held.set()
            await go.wait()  # the first look, paused at its first channel
        replies = await real(event)
        if isinstance(event, ChannelDescribed):
            done.append(event)
        return replies

    bot.handle = handle  # type: ignore[method-assign]
    second = await connect(bot)
    await asyncio.wait_for(held.wait(), 10)
    await fake.dispatch("CHANNEL_UPDATE", channel(SECRET, "secret", PRIVATE + BOT_IN))

    async def seen_live() -> bool:  # its handler ran channel_reached, and waits for the guild
        return int(SECRET) in second.access._reach.get(int(GUILD), set())

    await _eventually(seen_live)
    go.set()  # the live "back in" is handled first (the guild's lock is FIFO), then the loop's

    async def loop_done() -> bool:  # the loop's own #secret, whatever bot_in it carries
        return sum(e.channel.channel_id == SECRET for e in done) >= 2

    await _eventually(loop_done)
    assert not await _scalar(bot, "SELECT bot_left FROM channel WHERE channel_id = :c", c=SECRET)
