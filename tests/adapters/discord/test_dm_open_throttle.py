"""40003, "You are opening direct messages too fast", is Discord throttling the bot, not
someone closing their DMs: nobody is told their DMs are closed or stops getting DMs for it.
Opening DMs pauses for everyone, and the posts fail so the scheduler sends them later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post, Reply, Visibility
from narrate_bot_adapters.discord.gateway import OutboundPaused

from .conftest import Recorder, until
from .fake import ALICE, BOB, BOT, CAROL, GENERAL, GUILD

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
# Discord answers it with 403 (it counts toward the invalid-request budget).
TOO_FAST = {"message": "You are opening direct messages too fast.", "code": 40003}
EPHEMERAL = 64
# The scheduler retries a failed send 1, 2 and 4 minutes apart: its last try comes this late.
LAST_RETRY = timedelta(minutes=1 + 2 + 4)


def _reminder(who: dict[str, str]) -> Post:
    return Post(text="Your reminder: what are you on today?", to_users=(who["id"],))


async def test_a_throttled_dm_waits_for_the_pause_and_blames_nobody(fake, clock, connect):
    fake.guild["system_channel_id"] = GENERAL
    fake.fail("POST", r"^/users/@me/channels$", 403, TOO_FAST)
    client = await connect(Recorder(), now=clock.now)

    for who in (ALICE, BOB, CAROL):  # the scheduler's first attempts
        with pytest.raises(OutboundPaused):
            await client.gateway.post(TENANT, _reminder(who))
    assert len(fake.posted("/users/@me/channels")) == 1  # bob and carol: not even tried
    assert fake.posted(f"/channels/{GENERAL}/messages") == []  # no "your DMs are closed"

    clock.advance(LAST_RETRY)
    for who in (ALICE, BOB, CAROL):  # the last retries: the pause is over by then
        await client.gateway.post(TENANT, _reminder(who))

    for who in (ALICE, BOB, CAROL):
        [dm] = fake.posted(f"/channels/8{who['id']}/messages")
        assert dm.body["content"] == "Your reminder: what are you on today?"
    assert fake.posted(f"/channels/{GENERAL}/messages") == []


async def test_during_the_pause_a_private_answer_comes_where_it_was_asked(fake, clock, connect):
    """bob asks for something the core sends by DM while Discord throttles the bot's DMs: he
    gets it as a private answer to his command, and no DM is opened."""
    core = Recorder([Reply(text="Your last 2 narrations: …", visibility=Visibility.DIRECT)])
    fake.fail("POST", r"^/users/@me/channels$", 403, TOO_FAST)
    client = await connect(core, now=clock.now)
    with pytest.raises(OutboundPaused):
        await client.gateway.post(TENANT, _reminder(ALICE))

    answer = await fake.answer(await fake.slash("narrate-privacy", sub="mine", who=BOB))

    assert answer["data"]["content"] == "Your last 2 narrations: …"
    assert answer["data"]["flags"] == EPHEMERAL
    assert len(fake.posted("/users/@me/channels")) == 1  # alice's, which was throttled
    assert fake.posted(f"/channels/8{BOB['id']}/messages") == []


async def test_during_the_pause_a_mention_s_private_answer_says_why_it_didn_t_come(
    fake, clock, connect
):
    """alice mentions the bot and its answer is for her alone, while Discord throttles the
    bot's DMs: she is told to try again or use a slash command, not that her DMs are closed."""
    core = Recorder([Reply(text="only for you", visibility=Visibility.PRIVATE)])
    fake.fail("POST", r"^/users/@me/channels$", 403, TOO_FAST)
    client = await connect(core, now=clock.now)
    with pytest.raises(OutboundPaused):
        await client.gateway.post(TENANT, _reminder(BOB))

    await fake.say(f"<@{BOT['id']}> hello", mentions=[BOT])
    await until(lambda: fake.posted(f"/channels/{GENERAL}/messages"))
    [said] = fake.posted(f"/channels/{GENERAL}/messages")
    assert "Discord is limiting how fast I open DMs" in said.body["content"]
    assert "closed" not in said.body["content"]
    assert not fake.posted(f"/channels/8{ALICE['id']}/messages")
