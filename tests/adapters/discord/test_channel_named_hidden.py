"""A text channel may really be named ``___hidden___``, the name Discord gives a channel it
sends obfuscated (test_obfuscated_channel.py): discord.py 2.7 keeps no flags on a text channel,
so the name counts as obfuscation only for a channel the bot can't view."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import GENERAL, FakeDiscord
from .fake import text_channel as channel
from .test_bot_back_after_restart import _bot_left
from .test_bot_back_by_role import _eventually, _scalar
from .test_bot_lost_while_down import _stored_in
from .test_obfuscated_channel import obfuscated

NAME = "SELECT name FROM channel WHERE channel_id = :c"


async def test_a_channel_really_named_hidden_keeps_its_name(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """A channel the bot reaches, renamed ``___hidden___`` by its admins (a legal text-channel
    name), is stored under that name and as one the bot is in."""
    await connect(bot)
    await _stored_in(bot, GENERAL)
    await fake.dispatch("CHANNEL_UPDATE", channel(GENERAL, "___hidden___"))

    async def renamed() -> bool:
        return await _scalar(bot, NAME, c=GENERAL) == "___hidden___"

    await _eventually(renamed)
    await _bot_left(bot, GENERAL, False)


async def test_access_regained_after_obfuscation_restores_the_real_name(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """Sent obfuscated, then in full again (renamed meanwhile): its real name is stored, and
    the bot is back in."""
    await connect(bot)
    await _stored_in(bot, GENERAL)
    await fake.dispatch("CHANNEL_UPDATE", obfuscated(GENERAL, 0))
    await _bot_left(bot, GENERAL, True)
    await fake.dispatch("CHANNEL_UPDATE", channel(GENERAL, "general-2"))
    await _bot_left(bot, GENERAL, False)

    async def renamed() -> bool:
        return await _scalar(bot, NAME, c=GENERAL) == "general-2"

    await _eventually(renamed)
