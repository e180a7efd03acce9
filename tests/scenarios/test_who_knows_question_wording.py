"""How people really ask: questions are answered (never kept as narrations), and what isn't the
topic (links, thanks, a person, a bare number) is never searched or posted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest


def people(out: str) -> list[str]:
    return re.findall(r"^\s*\d+\. <?@(\w+)", out, flags=re.MULTILINE)


async def _kafka(chat, clock) -> None:
    await chat.say("bob in #infra: /narrate upgraded the kafka brokers to 3.7")
    clock.advance(timedelta(hours=1))


@pytest.mark.parametrize(
    "question",
    [
        "who's the expert on kafka?",
        "can anyone help with kafka?",
        "is anyone familiar with kafka",
        "anyone here familiar with kafka?",
        "who here knows kafka?",
        "who can I ask about kafka?",
        "who do I ask about kafka",
        "does somebody know kafka?",
        "does anyone here know about kafka?",
        "who's our kafka expert?",
    ],
)
async def test_a_question_in_a_dm_is_answered_not_kept(chat, clock, question):
    await _kafka(chat, clock)
    out = await chat.say(f"alice in dm: {question}")
    assert "Noted" not in out and people(out) == ["bob"]
    assert "haven't narrated anything" in await chat.say("alice: /narrate mine")


async def test_a_question_after_narrate_never_makes_the_asker_the_expert(chat, clock):
    await _kafka(chat, clock)
    out = await chat.say("alice: /narrate who's the expert on kafka?")
    assert "Noted" not in out and people(out) == ["bob"]
    await chat.say("carol: @narrate who is the expert on kafka")
    clock.advance(timedelta(hours=1))
    assert people(await chat.say("dave: @narrate who knows about kafka?")) == ["bob"]


async def test_work_that_only_sounds_like_asking_is_still_kept(chat):
    out = await chat.say("alice in dm: who knew the deploy would break, fixed it")
    assert "Noted as #1" in out
    assert "Noted as #2" in await chat.say("alice: /narrate helped bob with kafka")
    out = await chat.say("alice: /narrate who knew the cache was stale, flushed it")
    assert "Noted as #3" in out


@pytest.mark.parametrize(
    ("said", "person"),
    [
        ("alice in dm: who knows about @bob?", "@bob"),
        ("alice in dm: who knows about <@U123>?", "@U123"),
        ("alice: @narrate who knows about @bob?", "@bob"),
        ("alice: /narrate who @bob", "@bob"),
    ],
)
async def test_a_question_about_a_person_points_to_their_profile(chat, clock, said, person):
    await _kafka(chat, clock)
    out = await chat.say(said)
    assert out.startswith(("[dm alice]", "[only alice")), out
    assert f"/narrate profile {person}" in out and "Noted" not in out
    assert "haven't narrated anything" in await chat.say("alice: /narrate mine")


async def test_links_are_neither_searched_nor_echoed(chat, clock):
    await chat.say(
        "bob in #infra: /narrate wrote the runbook for paging, see "
        "https://wiki.example.com/runbooks/paging",
        "carol in #infra: /narrate upgraded kafka brokers",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say(
        "alice: @narrate who knows about <https://kafka.apache.org|kafka.apache.org>?"
    )
    assert "<https" not in out and people(out) == [] and "Name the topic in words" in out
    out = await chat.say(
        "alice: @narrate who knows about kafka? I'm stuck, see https://wiki.example.com/runbooks/kafka"
    )
    assert people(out) == ["carol"] and "Who knows about “kafka”:" in out
    out = await chat.say("alice: /narrate who kafka https://wiki.example.com/runbooks/kafka")
    assert people(out) == ["carol"]


async def test_thanks_after_a_question_are_not_searched(chat, clock):
    await _kafka(chat, clock)
    await chat.say("erin in #data: /narrate thanks everyone for the help with the warehouse move!")
    clock.advance(timedelta(hours=1))
    for question in (
        "who knows about kafka? thanks!",
        "hi, who can help with kafka? thanks in advance 🙏",
        "who knows about kafka, any help appreciated",
    ):
        out = await chat.say(f"alice: @narrate {question}")
        assert people(out) == ["bob"] and "Who knows about “kafka”:" in out, question


async def test_dotnet_is_asked_about_as_written(chat, clock):
    await chat.say(
        "carol in #infra: /narrate ported the billing engine to .NET 8",
        "frank in #data: /narrate net revenue report for finance",
        "gina in #web: /narrate moved the landing page to example.net",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say("alice: /narrate who .NET")
    assert people(out) == ["carol"]
    assert "Who knows about “.NET”" in out and "narrated about .NET 1 time" in out
    assert people(await chat.say("alice: /narrate who net revenue"))[0] == "frank"


@pytest.mark.parametrize("number", ["404", "3.7"])
async def test_a_number_alone_asks_for_a_word(chat, clock, number):
    await _kafka(chat, clock)
    await chat.say("hank in #web: /narrate fixed the 404 on checkout")
    out = await chat.say(f"alice: /narrate who {number}")
    assert f"can't search for a number on its own (“{number}”)" in out
    assert "Who knows about what?" not in out


async def _questions_channel(chat) -> None:
    await chat.say(
        ":channel #leads private bob,carol",
        "bob in #leads: /narrate leads sync notes",
        "bob in #leads: /narrate questions-channel here",
    )


async def test_guests_cannot_post_to_the_questions_channel(chat):
    await _questions_channel(chat)
    out = await chat.say(":guest pat", "pat: /narrate ask-channel is the acme renewal at risk?")
    assert "#leads" not in out and "members only" in out
    assert "[#leads]" not in out


async def test_a_posted_question_carries_no_links(chat):
    await _questions_channel(chat)
    out = await chat.say(
        "carol: /narrate ask-channel #leads is the acme renewal at risk? "
        "<https://evil.example|click here>"
    )
    posted = next(line for line in out.splitlines() if line.startswith("[#leads]"))
    assert "evil.example" not in posted and "click here" not in posted
    assert "“is the acme renewal at risk”" in posted


@pytest.mark.parametrize("question", ["who knows about it?", "🙏", "who knows about @bob?", "404"])
async def test_a_meaningless_question_is_not_posted(chat, question):
    await _questions_channel(chat)
    out = await chat.say(f"carol: /narrate ask-channel #leads {question}")
    assert "[#leads]" not in out and "Posted" not in out
    assert out.startswith("[only carol")


async def test_an_update_that_starts_with_anyone_is_kept(chat):
    """No question word and no "?": an update for whoever needs it, not a question."""
    out = await chat.say(
        "alice: /narrate anyone used to the old deploy flow should read the runbook I wrote"
    )
    assert "Noted as #1" in out
    out = await chat.say("alice in dm: anyone experienced with terraform can use my new module")
    assert "Noted as #2" in out
    assert "runbook" in await chat.say("alice: /narrate mine")
