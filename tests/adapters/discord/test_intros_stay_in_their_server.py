"""Introductions on Discord stay in their server, through the real client: an admin can't point
them at another server's channel (channel ids reach every server the bot is in), and since
every server shares one DM conversation with a person, each DM says which server it is from."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef

from .conftest import until
from .fake import ALICE, BOT, CAROL, GENERAL, GUILD, FakeDiscord, guild, member

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
OTHER_SERVERS_CHANNEL = "8888"  # a channel of another server the bot is in
OTHER_GUILD = "2001"


async def _slash(fake: FakeDiscord, command: str, **options: object) -> dict:
    return await fake.answer(await fake.slash(command, **options))


async def _kafka_pair(fake: FakeDiscord) -> None:
    for who, team in ((ALICE, "payments"), (CAROL, "search")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="kafka consumer lag in the billing cluster")
        await _slash(fake, "narrate-intros", sub="join", who=who)


async def _second_server_joins(fake: FakeDiscord, client) -> None:
    other = guild()
    other.update(id=OTHER_GUILD, name="Globex", channels=[], members=[member(BOT, [])])
    other["roles"] = [dict(other["roles"][0], id=OTHER_GUILD)]
    await fake.dispatch("GUILD_CREATE", other)
    await until(lambda: client.get_guild(int(OTHER_GUILD)) is not None)


async def test_an_introduction_dm_names_the_server_it_comes_from(fake, bot: Bot, clock, connect):
    client = await connect(bot)
    await _second_server_joins(fake, client)
    await _kafka_pair(fake)
    for post in await bot.introductions.weekly(tenant=TENANT, now=clock.now()):
        await client.gateway.post(TENANT, post)
    for who in (ALICE, CAROL):
        [dm] = fake.posted(f"/channels/8{who['id']}/messages")
        first, second = dm.body["content"].split("\n")[:2]
        assert first == "From the **Acme** server:"
        assert second.startswith("Introduction #1: ")


async def test_with_the_bot_in_one_server_only_a_dm_says_nothing_more(
    fake, bot: Bot, clock, connect
):
    client = await connect(bot)
    await _kafka_pair(fake)
    for post in await bot.introductions.weekly(tenant=TENANT, now=clock.now()):
        await client.gateway.post(TENANT, post)
    [dm] = fake.posted(f"/channels/8{ALICE['id']}/messages")
    assert dm.body["content"].startswith("Introduction #1: ")


async def test_another_servers_channel_is_refused_and_never_posted_in(
    fake, bot: Bot, clock, connect
):
    fake.guild["roles"][1]["permissions"] = "8"  # alice's role (keepers) administers the server
    client = await connect(bot)
    bot.gateways[Platform.DISCORD] = client.gateway
    await _kafka_pair(fake)
    option = {"name": "channel", "type": 3, "value": f"<#{OTHER_SERVERS_CHANNEL}>"}
    data = {
        "id": "6000",
        "name": "narrate-intros",
        "type": 1,
        "options": [{"name": "channel", "type": 1, "options": [option]}],
    }
    answer = await fake.answer(await fake.interaction(2, data, channel=GENERAL, admin=True))
    assert answer["data"]["content"].startswith(
        f"I haven't seen #{OTHER_SERVERS_CHANNEL} yet: add me to it (or post there) and try "
        "again. Nothing was changed."
    )
    await _slash(fake, "narrate-intros", sub="delivery", admin=True, how="channel")
    await bot.run_due(clock.now() + timedelta(days=8))
    assert fake.posted(f"/channels/{OTHER_SERVERS_CHANNEL}/messages") == []
    # Delivered by DM instead, since no introductions channel is set.
    assert fake.posted(f"/channels/8{ALICE['id']}/messages")
