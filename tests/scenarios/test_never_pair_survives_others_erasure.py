"""A never-pair wish is its owner's: the person it names can't lift it with forget-me.

Dave was told "I'll never introduce you to @mallory. Nobody is told". Forget-me of the person
named used to delete every wish naming them, so mallory (who needn't know the wish exists, nor
have used the bot at all) sent one command, came back, and was introduced to dave the next week.
The wish stays until dave removes it or erases himself, and mallory is still never told of it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from narrate_bot.clock import ManualClock
from narrate_bot_adapters.console.adapter import TENANT
from tests.helpers import Chat
from tests.scenarios.test_privacy import _rows_mentioning

WEEK = timedelta(days=7)


async def _introduced(bot, chat: Chat, clock: ManualClock) -> list[tuple[str, ...]]:
    """Run this week's introductions (a week after the last run) and who was introduced."""
    clock.advance(WEEK)
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return [tuple(sorted(p.to_users)) for p in posts if p.to_users]


def _export(out: str) -> str:
    return Path(out.split("saved to ", 1)[1].strip()).read_text()


async def _dave_never_pairs_mallory(chat: Chat) -> None:
    await chat.say("dave@search: /narrate kafka consumer lag on the ledger topic")
    await chat.say("dave: /narrate intros join")
    out = await chat.say("dave: /narrate never-pair <@mallory>")
    assert "Done: I'll never introduce you to @mallory. Nobody is told" in out


async def _mallory_comes_back(chat: Chat) -> None:
    await chat.say(
        "mallory@payments: /narrate kafka consumer lag again", "mallory: /narrate intros join"
    )


async def test_someone_who_never_used_the_bot_cannot_lift_a_wish_about_them(bot, chat, clock, db):
    await _dave_never_pairs_mallory(chat)
    stranger = await chat.say("zoe: /narrate forget-me confirm")
    out = await chat.say("mallory: /narrate forget-me confirm")
    # Told exactly what any stranger is told: nothing hints that a wish names her.
    assert out == stranger.replace("zoe", "mallory")
    assert "I have nothing stored about you." in out

    assert "I never introduce you to: @mallory." in await chat.say("dave: /narrate never-pair list")
    await _mallory_comes_back(chat)
    assert await _introduced(bot, chat, clock) == []
    # Her export still says nothing about dave or his wish.
    mallory = _export(await chat.say("mallory: /narrate export"))
    assert "dave" not in mallory
    assert json.loads(mallory)["introductions"]["never_pair"] == []  # her own list: empty

    # The same two are introduced once dave lifts the wish himself: only the wish kept them apart.
    assert "Removed" in await chat.say("dave: /narrate never-pair remove <@mallory>")
    assert await _introduced(bot, chat, clock) == [("dave", "mallory")]


async def test_erasing_herself_completely_leaves_the_wish_about_her(bot, chat, clock, db):
    await _mallory_comes_back(chat)
    await _dave_never_pairs_mallory(chat)
    exported = json.loads(_export(await chat.say("mallory: /narrate export")))
    assert "dave" not in json.dumps(exported)  # nobody is told, not even in her own export
    await chat.say("mallory: /narrate forget-me")
    assert "I erased everything about you" in await chat.say("mallory: /narrate forget-me confirm")

    assert "I never introduce you to: @mallory." in await chat.say("dave: /narrate never-pair list")
    await _mallory_comes_back(chat)
    assert await _introduced(bot, chat, clock) == []
    assert "dave" not in _export(await chat.say("mallory: /narrate export"))


async def test_the_wish_goes_when_its_owner_erases_himself(bot, chat, clock, db):
    await _dave_never_pairs_mallory(chat)
    await chat.say("mallory: /narrate forget-me confirm")
    await chat.say("dave: /narrate forget-me", "dave: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "mallory") == []
