"""Someone who asked to be forgotten and then uses the bot again, in the channel they used it
in before, has that place kept again, in the process that erased it too: a pointer to what
waits for them while their DMs are closed goes there. Through the real discord.py client
against the fake, on both engines."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import BOB, GENERAL, FakeDiscord
from .test_last_channel_outlives_a_restart import (
    DMS_CLOSED,
    INTRODUCTION,
    TENANT,
    _pointers,
    _used_the_bot,
)


async def test_a_use_after_forget_me_is_kept_again(
    fake: FakeDiscord, bot: Bot, connect: Any, clock: Any
) -> None:
    fake.ids_from(clock.now())  # events sent by the bot's clock: a later use brings them back
    fake.guild["system_channel_id"] = None
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, DMS_CLOSED, times=99)
    client = await connect(bot)
    await _used_the_bot(fake, BOB, GENERAL)
    await fake.answer(await fake.slash("narrate", who=BOB, text="forget-me"))
    await fake.answer(await fake.slash("narrate", who=BOB, text="forget-me confirm"))

    await _used_the_bot(fake, BOB, GENERAL)  # back: uses the bot in #general again

    await client.gateway.post(TENANT, INTRODUCTION)
    assert len(_pointers(fake, GENERAL)) == 1, "pointed where they last used the bot"
