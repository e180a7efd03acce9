"""People whose account was deactivated (or who left the server) can't be asked anything: they
are never suggested, mapped, introduced or prompted, nothing of theirs is erased, and speaking to
the bot again brings them back."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot_adapters.console.adapter import TENANT


async def test_someone_gone_is_not_suggested_until_they_speak_again(chat):
    await chat.say(
        "bob: /narrate upgraded the kafka brokers",
        "carol: /narrate kafka streams prototype",
    )
    assert "@bob" in await chat.say("zoe: /narrate who kafka")
    await chat.say(":gone bob")
    out = await chat.say("zoe: /narrate who kafka")
    assert "@bob" not in out and "@carol" in out
    topics = await chat.say("zoe: /narrate topics")
    assert "@bob" not in topics and "@carol" in topics
    assert "No longer in the workspace" in await chat.say("zoe: /narrate profile @bob")

    await chat.say("bob: /narrate back from leave, kafka again")
    assert "@bob" in await chat.say("zoe: /narrate who kafka")
    assert "kafka brokers" in await chat.say("bob: /narrate mine")  # nothing was erased


async def test_someone_gone_is_neither_introduced_nor_prompted(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "erin@infra: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
        "erin: /narrate kafka broker upgrade",
        ":tz erin Europe/Berlin",
        ":tz alice Europe/Berlin",
        "erin in dm: /narrate remind me daily 09:30",
        "alice in dm: /narrate remind me daily 09:30",
        ":gone erin",
    )
    clock.advance(timedelta(days=1))
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    assert [tuple(sorted(p.to_users)) for p in posts if p.to_users] == [("alice", "carol")]
    before = len(chat.out.getvalue())
    await chat.say(":advance 2d")
    prompts = chat.out.getvalue()[before:]
    assert "[dm alice]" in prompts and "[dm erin]" not in prompts


async def test_the_console_explains_gone(chat):
    assert "Write :gone NAME" in await chat.say(":gone")


async def test_asking_or_listing_is_using_the_bot_too(chat):
    await chat.say("bob: /narrate upgraded the kafka brokers")
    await chat.say(":gone bob")
    assert "@bob" not in await chat.say("zoe: /narrate who kafka")
    await chat.say("bob: /narrate mine")
    assert "@bob" in await chat.say("zoe: /narrate who kafka")
    await chat.say(":gone bob")
    await chat.say("bob: @narrate who knows about lag?")
    assert "@bob" in await chat.say("zoe: /narrate who kafka")
