"""An interaction for a server the bot can't act in says so plainly and hands back what was typed.

A form or a command's box is emptied once sent: the text exists nowhere else. A server can be
out of reach three ways: the bot was removed (Discord still delivers a command or a form opened
before), it isn't available yet after a restart (READY lists it, GUILD_CREATE hasn't come), or
the person (or the bot) left it while its DM's form was open. discord.py gives an interaction
from a server it doesn't hold a placeholder guild with no roles, never ``None``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.events import ChannelKind
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.discord import translate

from .conftest import Recorder, until
from .fake import CAROL, GENERAL, GUILD, FakeDiscord

EPHEMERAL = 64
REMOVED = "I'm no longer in it"


def as_discord_sends(fake: FakeDiscord) -> None:
    """Interactions in a server carry the channel's fields and a partial guild, as Discord's do
    (the fake's minimal ones would hide what discord.py builds from them)."""
    send = fake.dispatch

    async def dispatch(name: str, data: dict[str, Any]) -> None:
        if name == "INTERACTION_CREATE" and "guild_id" in data:
            data["guild"] = {"id": GUILD, "locale": "en-US", "features": []}
            data["channel"].update(name="general", position=0, permission_overwrites=[],
                                   nsfw=False, parent_id=None)  # fmt: skip
        await send(name, data)

    fake.dispatch = dispatch  # type: ignore[method-assign]


async def removed(fake: FakeDiscord, client: Any) -> None:
    await fake.dispatch("GUILD_DELETE", {"id": GUILD})  # no "unavailable": the bot was removed
    await until(lambda: client.get_guild(int(GUILD)) is None)
    name = "discord.py: on_guild_remove"  # the erasure runs as its own task
    await until(lambda: not any(t.get_name() == name and not t.done() for t in asyncio.all_tasks()))


async def narrations(bot: Bot) -> list[str]:
    async with bot.db.transaction() as session:
        return [n.text for n in (await session.exec(select(Narration))).all()]


async def test_a_form_submitted_in_a_server_that_removed_the_bot_is_handed_back(
    fake, bot: Bot, connect
):
    client = await connect(bot)
    await removed(fake, client)
    as_discord_sends(fake)

    answer = await fake.answer(await fake.submit("narrate-form:narration", "shipped the export"))

    content = answer["data"]["content"]
    assert answer["data"]["flags"] == EPHEMERAL
    assert content.startswith("I can't work in this server just now"), content
    assert "> shipped the export" in content
    assert await narrations(bot) == []


async def test_a_command_in_a_server_not_available_yet_is_handed_back(fake, bot: Bot, connect):
    """After a restart READY lists the server as unavailable until its GUILD_CREATE comes."""
    send = fake.dispatch

    async def no_guild_yet(name: str, data: dict[str, Any]) -> None:
        if name != "GUILD_CREATE":
            await send(name, data)

    fake.dispatch = no_guild_yet  # type: ignore[method-assign]
    client = await connect(bot)
    guild = client.get_guild(int(GUILD))
    assert guild is not None and guild.unavailable
    as_discord_sends(fake)

    answer = await fake.answer(
        await fake.slash("narrate", channel=GENERAL, text="tuned the autovacuum")
    )

    content = answer["data"]["content"]
    assert content.startswith("I can't work in this server just now"), content
    assert "> tuned the autovacuum" in content
    assert await narrations(bot) == []


async def test_a_dm_form_for_a_server_that_removed_the_bot_is_handed_back(fake, bot: Bot, connect):
    """The personal reminder's form was open when the server removed the bot."""
    client = await connect(bot)
    await removed(fake, client)

    answer = await fake.answer(
        await fake.submit(
            f"narrate-form@{GUILD}:narration",
            "shipped the billing export\nand the invoices",
            in_guild=False,
            who=CAROL,
        )  # fmt: skip
    )

    content = answer["data"]["content"]
    assert REMOVED in content and "or you aren't" in content, content
    assert "> shipped the billing export\n> and the invoices" in content
    assert await narrations(bot) == []


async def test_a_dm_form_from_someone_who_left_the_server_is_handed_back(fake, bot: Bot, connect):
    await connect(bot)
    fake.gone.add(CAROL["id"])  # GET /guilds/…/members/carol: Unknown Member

    answer = await fake.answer(
        await fake.submit(
            f"narrate-form@{GUILD}:narration", "rotated the hsm key", in_guild=False, who=CAROL
        )  # fmt: skip
    )

    content = answer["data"]["content"]
    assert REMOVED in content and "or you aren't" in content, content
    assert "> rotated the hsm key" in content
    assert await narrations(bot) == []


async def test_a_dm_form_whose_membership_check_fails_is_handed_back_to_try_again(
    fake, bot: Bot, connect
):
    """Discord failing to answer isn't the person leaving: they are asked to try again."""
    await connect(bot)
    fake.fail("GET", rf"^/guilds/{GUILD}/members/{CAROL['id']}$", 503,
              {"message": "upstream", "code": 0}, times=10)  # fmt: skip

    answer = await fake.answer(
        await fake.submit(
            f"narrate-form@{GUILD}:narration", "rotated the hsm key", in_guild=False, who=CAROL
        )  # fmt: skip
    )

    content = answer["data"]["content"]
    assert "try again in a few minutes" in content and REMOVED not in content, content
    assert "> rotated the hsm key" in content


async def test_a_channel_of_a_server_not_in_the_cache_counts_as_private(fake, connect):
    """What discord.py builds an interaction's channel on when it doesn't hold the server:
    a placeholder guild with no roles, from which no one's view can be told."""
    client = await connect(Recorder())
    state = client._connection
    data = {"id": "2999", "locale": "en-US", "features": []}
    guild = discord.Guild._create_unavailable(state=state, guild_id=2999, data=data)
    channel = discord.TextChannel(state=state, guild=guild, data={
        "id": "3999", "type": 0, "guild_id": "2999", "name": "general", "position": 0,
        "permission_overwrites": [], "nsfw": False, "parent_id": None,
    })  # fmt: skip

    ref = translate.where(channel)

    assert (ref.channel_id, ref.name, ref.kind) == ("3999", "general", ChannelKind.PRIVATE)
