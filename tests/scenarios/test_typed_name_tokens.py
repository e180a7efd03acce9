"""A made-up name token typed anywhere, or a symbol name inside a link, finds nobody.

Symbol and "&" names are indexed as tokens ("sym0c0plus0" for C++, "amp0r0d0" for R&D) and a
question about the name searches its token, keeping hide-me ("hide-me C++") and the spelling
check on. A question typing a token alone searched nothing, but one glued by "_" or "/"
("sym0c0plus0_x", "sym0c0plus0/sym0c0sharp0") searched the token as a plain word: it listed the
name's narrators with no name attached, someone who hid C++ among them, and blocker help named
them too. A narration typing a token held it in the index, so enough of them filled the name's
window ahead of the narrations spelling it. And a link alone ("https://example.com/c++/x") made
its narrator a C++ match, though a question's links are never searched.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from narrate_bot.storage import search
from tests.scenarios.test_who_knows_ranking import people

TYPED = [
    "sym0c0plus0_x",
    "x_sym0c0plus0",
    "sym0c0plus0_sym0c0sharp0",
    "sym0c0plus0/sym0c0sharp0",
    "amp0r0d0_x",
    "amp0r0d0/amp0p0l0",
    "Ｓｙｍ０ｃ０ｐｌｕｓ０_x",
    "sym0c0plus0_支付",
]


async def _names(chat, clock) -> None:
    await chat.say(
        "cody: /narrate profiled the C++ allocator",
        "cody: /narrate C++ and C# bindings for the payment service",
        "rhea: /narrate R&D and P&L review",
    )
    clock.advance(timedelta(hours=1))


@pytest.mark.parametrize("typed", TYPED)
async def test_a_typed_token_glued_to_anything_finds_nobody(chat, clock, typed):
    await _names(chat, clock)
    assert people(await chat.say(f"zoe: @narrate who knows about {typed}?")) == []
    assert "bindings" not in await chat.say(f"cody: /narrate mine {typed}")
    assert "review" not in await chat.say(f"rhea: /narrate mine {typed}")


async def test_hide_me_cpp_holds_against_a_typed_token(chat, clock):
    await chat.say(
        "cody: /narrate profiled the C++ allocator",
        "cody: /narrate C++ and C# bindings for the build",
        "cody: /narrate hide-me C++",
    )
    clock.advance(timedelta(hours=1))
    assert people(await chat.say("zoe: @narrate who knows about C++?")) == []
    for typed in ("sym0c0plus0_build", "build_sym0c0plus0", "sym0c0plus0/sym0c0sharp0"):
        assert "cody" not in people(await chat.say(f"zoe: @narrate who knows {typed}?")), typed
    out = await chat.say("zoe: /narrate stuck on sym0c0plus0_build times, anyone know?")
    assert "@cody" not in out, out


async def test_narrations_typing_the_token_dont_crowd_out_the_name(chat, clock):
    await chat.say(
        "cody: /narrate profiled the C++ allocator",
        "rhea: /narrate R&D budget review",
    )
    clock.advance(timedelta(hours=1))
    lines = ("sym0c0plus0 amp0r0d0 notes", "amp0r0d0_x sym0c0plus0_y", "私はsym0c0plus0のamp0r0d0")
    await chat.say(
        *(f"zed: /narrate {lines[i % len(lines)]} {i}" for i in range(search.TERM_WINDOW + 30))
    )
    clock.advance(timedelta(days=1))
    assert people(await chat.say("zoe: @narrate who knows about C++?")) == ["cody"]
    assert people(await chat.say("zoe: @narrate who knows about R&D?")) == ["rhea"]


async def test_a_symbol_name_inside_a_link_names_nothing(chat, clock):
    await chat.say(
        "ann: /narrate edited foo.c++ for the build",
        "gus: /narrate bookmarked https://example.com/c++/x and https://example.com/.net/y",
        "hal: /narrate read <https://example.com/c#/guide|the guide> on HTTPS://EXAMPLE.COM/R",
        "ivy: /narrate C# client, see https://example.com/c++/z",
    )
    clock.advance(timedelta(hours=1))
    assert people(await chat.say("zoe: @narrate who knows about C++?")) == ["ann"]
    assert people(await chat.say("zoe: @narrate who knows about C#?")) == ["ivy"]
    assert people(await chat.say("zoe: @narrate who knows about .NET?")) == []
    assert people(await chat.say("zoe: @narrate who knows about R?")) == []
