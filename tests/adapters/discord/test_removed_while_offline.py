"""A server that removes the bot while it isn't connected (a deploy, a crash, a host outage) gets
no GUILD_DELETE: the next READY simply doesn't list it. Its data must go all the same, while a
server that is only unavailable (listed, but no GUILD_CREATE) keeps everything."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Narration, Tenant
from narrate_bot_adapters.discord.client import NarrateClient

from .conftest import Connect
from .fake import GUILD, FakeDiscord


async def stored(bot: Bot) -> tuple[list[tuple[str, str]], list[str]]:
    async with bot.db.transaction() as session:
        tenants = (await session.exec(select(Tenant))).all()
        narrations = (await session.exec(select(Narration))).all()
    return sorted((t.platform, t.external_id) for t in tenants), [n.text for n in narrations]


async def settled(client: NarrateClient) -> None:
    """Until the connection's ``on_ready`` handler has finished (discord.py runs it as its own
    task, after ``wait_until_ready`` returns), so "nothing was erased" is a result, not luck."""
    assert client.is_ready()
    await asyncio.gather(
        *(t for t in asyncio.all_tasks() if t.get_name() == "discord.py: on_ready")
    )


async def narrate_then_disconnect(fake: FakeDiscord, bot: Bot, connect: Connect) -> None:
    first = await connect(bot)
    await fake.answer(await fake.slash("narrate", text="tuning postgres autovacuum"))
    await first.close()
    assert await stored(bot) == ([("discord", GUILD)], ["tuning postgres autovacuum"])


def reconnect_with(fake: FakeDiscord, *, ready_guilds: list[dict[str, Any]], create: bool) -> None:
    """The next connection's READY lists ``ready_guilds``; GUILD_CREATE follows only if
    ``create`` (no GUILD_DELETE either way: nothing is sent for a guild the bot left offline)."""
    real = fake.dispatch

    async def dispatch(name: str, data: dict[str, Any]) -> None:
        if name == "GUILD_CREATE" and not create:
            return
        if name == "READY":
            data = {**data, "guilds": ready_guilds}
        await real(name, data)

    fake.dispatch = dispatch  # type: ignore[method-assign]


async def test_a_server_that_removed_the_bot_while_it_was_offline_is_erased(
    fake: FakeDiscord, bot: Bot, connect: Connect
) -> None:
    await narrate_then_disconnect(fake, bot, connect)
    async with bot.db.transaction() as session:  # another platform's tenant, same external id
        session.add(Tenant(platform="slack", external_id=GUILD, created_at=datetime.now(UTC)))
    reconnect_with(fake, ready_guilds=[], create=False)
    second = await connect(bot)
    await settled(second)
    assert list(second.guilds) == []
    assert await stored(bot) == ([("slack", GUILD)], [])


async def test_an_unavailable_server_keeps_its_data(
    fake: FakeDiscord, bot: Bot, connect: Connect
) -> None:
    await narrate_then_disconnect(fake, bot, connect)
    reconnect_with(fake, ready_guilds=[{"id": GUILD, "unavailable": True}], create=False)
    second = await connect(bot)
    await settled(second)
    (guild,) = second.guilds
    assert guild.unavailable  # an outage: listed in READY, never created
    assert await stored(bot) == ([("discord", GUILD)], ["tuning postgres autovacuum"])


async def test_a_server_the_bot_is_still_in_keeps_its_data(
    fake: FakeDiscord, bot: Bot, connect: Connect
) -> None:
    await narrate_then_disconnect(fake, bot, connect)
    second = await connect(bot)
    await settled(second)
    assert [g.id for g in second.guilds] == [int(GUILD)]
    assert await stored(bot) == ([("discord", GUILD)], ["tuning postgres autovacuum"])


async def test_one_shard_leaves_the_other_shards_servers_alone(
    fake: FakeDiscord, bot: Bot, connect: Connect
) -> None:
    """Shard 1 of 2 is never told about GUILD (shard 0): not hearing of it means nothing."""
    await narrate_then_disconnect(fake, bot, connect)
    reconnect_with(fake, ready_guilds=[], create=False)
    second = await connect(bot, shard_id=1, shard_count=2)
    await settled(second)
    assert (int(GUILD) >> 22) % 2 == 0
    assert await stored(bot) == ([("discord", GUILD)], ["tuning postgres autovacuum"])
