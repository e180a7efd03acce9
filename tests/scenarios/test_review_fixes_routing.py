"""What people type out of habit is understood: a phone's apostrophe, help asked the way other
tools take it, a polite forget-me, and plain @name mentions in a question."""

from __future__ import annotations

from datetime import timedelta


async def _kafka(chat, clock) -> None:
    await chat.say("bob@infra: /narrate kafka consumer lag fixed")
    clock.advance(timedelta(hours=1))


async def test_a_curly_apostrophe_still_asks(chat, clock):
    await _kafka(chat, clock)
    out = await chat.say("zoe: /narrate who’s worked with kafka?")
    assert "Who knows about “kafka”" in out and "@bob" in out
    assert "Noted" not in out
    out = await chat.say("zoe: @narrate who’s an expert on kafka?")
    assert "@bob" in out
    assert "You haven't narrated anything yet" in await chat.say("zoe: /narrate mine")


async def test_help_asked_like_other_tools_is_help_and_enrols_nobody(chat):
    for text in ("?", "/help", "--help"):
        out = await chat.say(f"alice: /narrate {text}")
        assert "Noted" not in out and "/narrate who" in out
    out = await chat.say("alice: /narrate help intros")
    assert out.count("Introductions: /narrate intros") == 1 and "join · leave" in out
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_a_polite_forget_me_asks_for_confirmation_instead_of_being_kept(chat):
    await chat.say("bob: /narrate kafka consumer lag fixed")
    out = await chat.say("bob: /narrate forget-me please")
    assert "Noted" not in out and "/narrate forget-me confirm" in out
    assert "#1" in await chat.say("bob: /narrate mine")  # nothing erased before confirming


async def test_plain_name_mentions_are_not_part_of_the_topic(chat, clock):
    await _kafka(chat, clock)
    out = await chat.say("zoe: @narrate who knows about cobol? @here @bob")
    assert "“cobol”" in out and "@bob" not in out.split("cobol", 1)[1].split("\n", 1)[0]
    out = await chat.say("zoe: @narrate who knows about kafka @bob")
    assert "Who knows about “kafka”" in out
