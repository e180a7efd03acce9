"""Technologies named with symbols or one capital letter (C++, C#, F#, C, R) can be asked about.

Both full-text engines index only their letter, so before, "who knows about C++?" searched nothing
and "who knows C++ templates" quietly searched "templates" alone."""

from __future__ import annotations

import re
from datetime import timedelta


def people(out: str) -> list[str]:
    return re.findall(r"^\s*\d+\. <?@(\w+)", out, flags=re.MULTILINE)


async def _team(chat, clock) -> None:
    await chat.say(
        "cody: /narrate profiled the C++ allocator, templates now compile 30% faster",
        "cody: /narrate moved the renderer to C++17 modules",
        "sasha: /narrate ported the billing service to C# and .NET 8",
        "fran: /narrate F# type providers for the pricing model",
        "rosa: /narrate fitted the churn model in R with tidyverse",
        "carl: /narrate plan B/C for the launch, R&D budget review, r/w lock contention",
        "cleo: /narrate rewrote the parser in plain C, no more malloc in the hot loop",
    )
    clock.advance(timedelta(days=1))


async def test_cpp_is_found_where_it_is_written_and_nowhere_else(chat, clock):
    await _team(chat, clock)
    out = await chat.say("zoe: @narrate who knows about C++?")
    assert people(out) == ["cody"]
    assert "narrated about C++ 2 times, last yesterday" in out


async def test_csharp_and_fsharp_are_not_the_same_language(chat, clock):
    await _team(chat, clock)
    assert people(await chat.say("zoe: /narrate who c#")) == ["sasha"]
    assert people(await chat.say("zoe: /narrate who F#")) == ["fran"]


async def test_one_letter_languages_need_the_capital_standing_alone(chat, clock):
    await _team(chat, clock)
    # carl's "B/C", "R&D" and "r/w" are not the languages.
    assert people(await chat.say("zoe: @narrate who knows R?")) == ["rosa"]
    assert people(await chat.say("zoe: @narrate who knows C?")) == ["cleo"]


async def test_a_symbol_name_counts_beside_the_other_words(chat, clock):
    await _team(chat, clock)
    await chat.say("tina: /narrate wrote templates for the onboarding emails")
    clock.advance(timedelta(hours=1))
    out = await chat.say("zoe: @narrate who knows C++ templates")
    # Before, C++ was dropped and this asked about templates alone.
    assert people(out)[0] == "cody"
    assert "C++" in out


async def test_a_symbol_name_can_be_hidden_and_declared(chat, clock):
    await _team(chat, clock)
    reply = await chat.say("cody: /narrate hide-me C++")
    assert "too common" not in reply
    await chat.say("sasha: /narrate ask-me-about C#")
    clock.advance(timedelta(hours=1))
    assert "cody" not in people(await chat.say("zoe: /narrate who C++ templates"))
    # Hiding C++ doesn't hide cody from C.
    assert people(await chat.say("zoe: /narrate who C")) == ["cleo"]
    out = await chat.say("zoe: /narrate who c#")
    assert people(out) == ["sasha"] and "asks to be asked about it" in out


async def test_the_confirmation_and_the_map_name_symbol_topics(chat, clock):
    out = await chat.say("carol: /narrate C++17 build fixed, C# client updated")
    assert "Topics:" in out and "c++" in out and "c#" in out
    clock.advance(timedelta(hours=1))
    assert "c++" in await chat.say("zoe: /narrate topics")
