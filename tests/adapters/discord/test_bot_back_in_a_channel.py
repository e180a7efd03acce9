"""Discord: when a channel's permission overwrites change so the bot may see and post there
again (CHANNEL_UPDATE, no privileged intent), the core is told the bot is back in it, as Slack's
``member_joined_channel`` for the app does: what the platform refused there meanwhile (orphaned
posts' deletes, edits behind narrations, introductions' posts, digests' lines) is tried at the
next wake-up, not a week on. A change that leaves the bot's access as it was (a rename) tells
nothing. Through the real discord.py client against the fake gateway. Before this change no
Discord event ever told the core, so those paths worked only on Slack."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.storage.orphan_post_tables import UpdatePostOrphan

from .fake import APP, GENERAL, VIEW, FakeDiscord, text_channel

SEND = 1 << 11
POST = "7000"
THREAD = "5000"  # the prompt's thread, where the post is
SHUT_OUT = [{"id": APP, "type": 1, "allow": "0", "deny": str(VIEW | SEND)}]


async def _scalar(bot: Bot, sql: str, **values: object) -> object:
    async with bot.db.engine.connect() as conn:
        return (await conn.execute(text(sql), values)).scalar()


async def _bot_left(bot: Bot) -> object:
    return await _scalar(bot, "SELECT bot_left FROM channel WHERE channel_id = :c", c=GENERAL)


async def _eventually(check: Any) -> None:
    import asyncio

    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never")


async def _refused_delete(bot: Bot, clock: ManualClock) -> None:
    """An orphaned post's delete Discord refused while the bot was shut out: put off a week."""
    now = clock.now()
    async with bot.db.transaction() as session:
        tenant = await _scalar(bot, "SELECT id FROM tenant")
        assert isinstance(tenant, int)
        session.add(
            UpdatePostOrphan(
                tenant_id=tenant,
                channel_id=GENERAL,
                thread_of=THREAD,
                message_id=POST,
                retry_at=now + timedelta(days=7),
                attempts=1,
                refused_at=now,
            )
        )


def _deletes(fake: FakeDiscord) -> list[int]:
    return [c.status for c in fake.posted(f"/messages/{POST}", "DELETE")]


async def test_overwrites_giving_the_bot_access_back_make_refusals_due(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    shut = text_channel(GENERAL, "general", SHUT_OUT)
    await fake.dispatch("CHANNEL_UPDATE", shut)

    async def shut_out() -> bool:  # handled: the tenant and #general are stored
        return bool(await _bot_left(bot))

    await _eventually(shut_out)
    await _refused_delete(bot, clock)
    await fake.dispatch("CHANNEL_UPDATE", {**shut, "name": "general-2"})  # still shut out

    async def renamed() -> bool:
        name = await _scalar(bot, "SELECT name FROM channel WHERE channel_id = :c", c=GENERAL)
        return name in ("general-2", "#general-2")

    await _eventually(renamed)
    await bot.run_due(clock.now())
    assert _deletes(fake) == []  # nothing said the bot is back: its week stands
    await fake.dispatch("CHANNEL_UPDATE", text_channel(GENERAL, "general-2"))

    async def back() -> bool:
        return await _bot_left(bot) in (False, 0)

    await _eventually(back)
    await bot.run_due(clock.now())  # the next wake-up, not a week later
    assert _deletes(fake) == [200]
