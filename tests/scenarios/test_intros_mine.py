"""`/narrate intros` shows my latest introductions again, privately: where a DM never arrived
(Discord refuses DMs some people closed, and the bot points them here), this is how they read
it and answer it."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot_adapters.console.adapter import TENANT


async def _introduced(bot, chat, clock) -> None:
    await chat.say(
        ":channel #secret private alice,carol",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka streams",
        "alice in #secret: /narrate zanzibar acquisition",
        "carol in #secret: /narrate zanzibar pricing",
    )
    clock.advance(timedelta(days=1))
    for post in await bot.introductions.weekly(tenant=TENANT, now=clock.now()):
        await chat.adapter.post(TENANT, post)


async def test_my_introductions_are_listed_with_what_they_said_and_how_to_answer(bot, chat, clock):
    await _introduced(bot, chat, clock)
    out = await chat.say("alice: /narrate intros")
    assert out.startswith("[only alice in #general] Your latest introductions:")
    assert "#1 (" in out and "@carol (search)" in out and "about " in out and "kafka" in out
    assert "/narrate intros met 1 or not-useful 1" in out
    await chat.say("alice: /narrate intros met 1")
    assert "you met" in await chat.say("alice: /narrate intros mine")
    # carol's own answer is her own: alice's doesn't show as hers
    assert "/narrate intros met 1 or not-useful 1" in await chat.say("carol: /narrate intros")


async def test_only_the_people_introduced_see_it_again(bot, chat, clock):
    await _introduced(bot, chat, clock)
    out = await chat.say("dan: /narrate intros")
    assert "You haven't been introduced to anyone yet" in out
    assert "@carol" not in out and "kafka" not in out and "zanzibar" not in out


async def test_intros_help_is_still_there(chat):
    out = await chat.say("alice: /narrate intros help")
    assert out.count("I don't know") == 0 and "/narrate intros (your latest)" in out
