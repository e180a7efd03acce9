"""The mid-week "did you get to meet…?" goes only to people still taking part: whoever paused,
left narrate-bot or left the introductions since hears nothing more about it."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.replies import Post
from narrate_bot_adapters.console.adapter import TENANT


async def _introduce(bot, chat, clock, people: dict[str, str]) -> list[Post]:
    """Everyone joins and narrates about kafka; this week's introductions."""
    for person, team in people.items():
        await chat.say(f"{person}@{team}: /narrate intros join", f"{person}: /narrate kafka lag")
    return await bot.introductions.weekly(tenant=TENANT, now=clock.now())


async def _follow_up(bot, chat, clock) -> list[Post]:
    clock.advance(timedelta(days=3))
    posts = await bot.introductions.follow_up(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


async def test_nobody_who_left_or_paused_is_asked_and_a_lone_member_isnt_either(bot, chat, clock):
    posts = await _introduce(
        bot, chat, clock, {"alice": "payments", "bob": "search", "carol": "infra", "dan": "design"}
    )
    assert len(posts) == 2
    await chat.say("alice: /narrate leave", "carol: /narrate pause 3w")
    assert await _follow_up(bot, chat, clock) == []
    assert "did you get to meet" not in chat.out.getvalue()


async def test_leaving_the_introductions_alone_is_enough(bot, chat, clock):
    [post] = await _introduce(bot, chat, clock, {"alice": "payments", "bob": "search"})
    assert sorted(post.to_users) == ["alice", "bob"]
    assert "You've left" in await chat.say("alice: /narrate intros leave")
    assert await _follow_up(bot, chat, clock) == []


async def test_the_rest_of_a_trio_is_still_asked_about_each_other(bot, chat, clock):
    [trio] = await _introduce(
        bot, chat, clock, {"alice": "payments", "bob": "search", "erin": "infra"}
    )
    assert len(trio.to_users) == 3
    leaver = trio.to_users[0]
    rest = sorted(trio.to_users[1:])
    # A pause that is over by the follow-up doesn't count.
    await chat.say(f"{leaver}: /narrate intros leave", f"{rest[0]}: /narrate pause 2d")
    [asked] = await _follow_up(bot, chat, clock)
    assert sorted(asked.to_users) == rest
    assert f"did you get to meet <@{rest[0]}> and <@{rest[1]}>?" in asked.text
    assert f"@{leaver}" not in chat.out.getvalue().split("did you get to meet", 1)[1]


async def test_a_forget_me_that_was_never_confirmed_doesnt_silence_the_follow_up(bot, chat, clock):
    [post] = await _introduce(bot, chat, clock, {"alice": "payments", "bob": "search"})
    await chat.say("alice: /narrate forget-me")  # ...and she thinks better of it
    [asked] = await _follow_up(bot, chat, clock)
    assert sorted(asked.to_users) == ["alice", "bob"]
