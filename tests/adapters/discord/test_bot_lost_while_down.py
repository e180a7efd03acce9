"""Discord: access taken from the bot while no process ran is stored as left (``bot_left``) at
the next process's first look at the guild, as a loss seen live is; a channel still reached
stays one the bot is in. Through the real discord.py client against the fake gateway, with no
privileged intent.

Before this change a new process compared what the bot reaches only with the channels stored
as left (to find access given back): a channel it lost while the process was down was never
stored as left, since the record of what it reached is kept in memory and no event is sent for
a change made while the bot was disconnected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from narrate_bot.app import Bot

from .fake import GENERAL, GUILD, SECRET, FakeDiscord
from .test_bot_back_after_restart import _bot_left
from .test_bot_back_by_role import _eventually, _scalar

STORED_IN = "SELECT count(*) FROM channel WHERE channel_id = :c AND NOT bot_left"


async def _stored_in(bot: Bot, *channel_ids: str) -> None:
    """Until each channel has a row, as one the bot is in (``_bot_left`` takes no row for
    ``False``)."""

    async def stored() -> bool:
        return all([await _scalar(bot, STORED_IN, c=c) == 1 for c in channel_ids])

    await _eventually(stored)


def _everyone(fake: FakeDiscord) -> dict[str, Any]:
    [everyone] = [r for r in fake.guild["roles"] if r["id"] == GUILD]
    return everyone  # type: ignore[no-any-return]


async def restarted_after(bot: Bot, connect: Any, change: Callable[[], None]) -> None:
    """A process stores #general as one the bot is in and stops; ``change`` is made to the
    fake's guild while none runs (no event tells of it); the next process connects."""
    first = await connect(bot)
    await _stored_in(bot, GENERAL)
    await first.close()
    change()
    await connect(bot)


async def test_access_taken_away_while_the_process_was_down_is_stored_as_left(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    def everyone_loses_view() -> None:  # the next GUILD_CREATE has #general shut to the bot
        _everyone(fake)["permissions"] = "0"

    await restarted_after(bot, connect, everyone_loses_view)
    await _bot_left(bot, GENERAL, True)


async def test_a_channel_still_reached_after_a_restart_stays_one_the_bot_is_in(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """Nothing changed while the process was down: #general, reached, stays one the bot is in.
    #secret (keepers only) was never reached, yet stored as in: at the first look it is stored
    as left too, the bot being out of it (which also says that first look is done)."""
    first = await connect(bot)
    await _stored_in(bot, GENERAL, SECRET)
    await first.close()
    await connect(bot)
    await _bot_left(bot, SECRET, True)
    await _bot_left(bot, GENERAL, False)
