"""Discord: the bot shut out of a channel is stored as out of it (``bot_left``), so access given
back while the process was down is noticed when the next process connects, and what Discord
refused there meanwhile (an edit) is made at the next wake-up, not at its weekly retry. Through
the real discord.py client against the fake gateway, with no privileged intent.

Before this change the channels the bot reached were kept only in memory: a new process's
first look at a guild told nothing, and on Discord ``bot_left`` was never set, so the refused
edit waited its week. Readers of a private channel stand across the bot's leaving and coming
back: Discord sends roles and overwrites whether the bot is in a channel or not, so nothing
learned while it was out is stale (Slack's are forgotten, ``channel_sharing.back_in``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot_adapters.discord.client import NarrateClient

from .fake import ALICE, BOT, CAROL, GENERAL, GUILD, KEEPERS, PRIVATE, FakeDiscord, member
from .fake import text_channel as channel
from .test_bot_back_by_role import (
    BOTS,
    BOTS_ROLE,
    EVERYONE,
    _edited_at_the_next_wake_up,
    _eventually,
    _handled,
    _kind,
    _made_due,
    _refused_edit,
    _scalar,
)

LEFT = "SELECT bot_left FROM channel WHERE channel_id = :c"
READERS = (
    "SELECT m.user_id FROM channel_member m JOIN channel c ON c.id = m.channel_pk "
    "WHERE c.channel_id = :c ORDER BY m.user_id"
)


async def _bot_left(bot: Bot, channel_id: str, left: bool) -> None:
    async def stored() -> bool:
        return bool(await _scalar(bot, LEFT, c=channel_id)) == left

    await _eventually(stored)


async def _read_by(bot: Bot, channel_id: str, *user_ids: str) -> None:
    async def stored() -> bool:
        async with bot.db.engine.connect() as conn:
            rows = (await conn.execute(text(READERS), {"c": channel_id})).all()
        return [r[0] for r in rows] == sorted(user_ids)

    await _eventually(stored)


async def test_access_given_back_while_the_process_was_down_makes_the_refused_edit_due(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    fake.guild["roles"].append(BOTS_ROLE)
    fake.guild["members"][0] = member(BOT, [BOTS])
    processes: list[NarrateClient] = []

    async def first_process(core: Bot) -> NarrateClient:
        client: NarrateClient = await connect(core)
        processes.append(client)
        return client

    async def everyone_loses_view() -> None:
        everyone = EVERYONE | {"permissions": "0"}
        await fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": GUILD, "role": everyone})
        await _kind(bot, GENERAL, "private")

    thread = await _refused_edit(fake, bot, clock, first_process, everyone_loses_view)
    # The role update took #general from the bot: the core keeps that, past this process.
    await _bot_left(bot, GENERAL, True)
    [first] = processes
    await first.close()
    # While no process runs, @everyone gets View Channel back (the fake's guild was never
    # changed: the next GUILD_CREATE has #general open to the bot again).
    assert [r for r in fake.guild["roles"] if r["id"] == GUILD][0]["permissions"] != "0"
    await connect(bot)
    await _bot_left(bot, GENERAL, False)
    await _made_due(bot)
    await _edited_at_the_next_wake_up(fake, bot, clock, thread)


async def test_readers_of_a_private_channel_stand_while_the_bot_is_out_and_back(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    """#general made keepers-only shuts the bot out (it holds no keepers role): stored as
    left. The bot given the keepers role is back in, and the readers recorded meanwhile (by
    commands there; without the members intent nobody is in the member cache) still read it:
    Slack's "forget the readers learned while out" must not apply on Discord, or they would
    lose the channel's narrations until their next command."""
    await connect(bot)
    await fake.dispatch("CHANNEL_UPDATE", channel(GENERAL, "general", PRIVATE))
    await _kind(bot, GENERAL, "private")
    await _bot_left(bot, GENERAL, True)
    async with bot.db.engine.begin() as conn:
        pk = await conn.scalar(text("SELECT id FROM channel WHERE channel_id = :c"), {"c": GENERAL})
        for reader in (ALICE, CAROL):
            await conn.execute(
                text("INSERT INTO channel_member (channel_pk, user_id) VALUES (:pk, :user)"),
                {"pk": pk, "user": reader["id"]},
            )
    await fake.dispatch("GUILD_MEMBER_UPDATE", member(BOT, [KEEPERS]) | {"guild_id": GUILD})
    await _bot_left(bot, GENERAL, False)
    await _handled(fake, bot, "secret-2")
    await _read_by(bot, GENERAL, ALICE["id"], CAROL["id"])
