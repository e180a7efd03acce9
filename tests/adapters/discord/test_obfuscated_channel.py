"""Discord's channel obfuscation (discord-api-docs PR #8454; for bots from November 16, 2026): a
channel the bot may not view is still dispatched over the gateway, but with its name replaced by
``___hidden___``, the ``CHANNEL_OBFUSCATED`` flag (``1 << 17``) set, sensitive fields nulled, and
one permission overwrite, denying View Channel to ``@everyone``. Only ``id``, ``type`` and
``position`` keep their real values.

The tracker reads such a channel as one the bot can't reach (``permissions_for`` on that lone
overwrite), so a channel it was in and that now arrives obfuscated is stored as left, as any
loss of access is; and ``___hidden___`` isn't stored as its name (before, it
replaced the real one, which who-knows answers name). Built from the documented payload,
through the real discord.py client against the fake gateway.
"""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import GENERAL, GUILD, VIEW, FakeDiscord
from .test_bot_back_after_restart import _bot_left
from .test_bot_back_by_role import _scalar
from .test_bot_lost_while_down import _stored_in, restarted_after

OBFUSCATED = 1 << 17


def obfuscated(channel_id: str, position: int) -> dict[str, Any]:
    """A text channel as Discord sends it to a bot that may not view it."""
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": GUILD,
        "position": position,
        "name": "___hidden___",
        "flags": OBFUSCATED,
        "permission_overwrites": [{"id": GUILD, "type": 0, "allow": "0", "deny": str(VIEW)}],
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


async def test_a_channel_sent_obfuscated_is_one_the_bot_is_out_of(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)
    await _stored_in(bot, GENERAL)
    await fake.dispatch("CHANNEL_UPDATE", obfuscated(GENERAL, int(GENERAL) - 3000))
    await _bot_left(bot, GENERAL, True)
    name = await _scalar(bot, "SELECT name FROM channel WHERE channel_id = :c", c=GENERAL)
    assert name == "general"


async def test_a_channel_obfuscated_while_the_process_was_down_is_one_the_bot_is_out_of(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    def obfuscate_general() -> None:
        [index] = [i for i, c in enumerate(fake.guild["channels"]) if c["id"] == GENERAL]
        fake.guild["channels"][index] = obfuscated(GENERAL, int(GENERAL) - 3000)

    await restarted_after(bot, connect, obfuscate_general)
    await _bot_left(bot, GENERAL, True)
