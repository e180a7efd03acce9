"""A question about the word "net" names nobody who only wrote a name ending ".NET" ("ASP.NET"):
SQLite indexes "asp.net" as "asp" and "net" and named them, PostgreSQL indexes it as one host
token and didn't; both engines now agree (any ".net" ending a word is not the word)."""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.test_who_knows_symbol_names import people


async def test_aspnet_alone_is_not_the_word_net(chat, clock):
    await chat.say(
        "nora: /narrate net revenue dashboard numbers checked",
        "asha: /narrate moved the billing API to ASP.NET Core minimal APIs",
    )
    clock.advance(timedelta(days=1))
    named = people(await chat.say("zoe: /narrate who knows about net"))
    assert "nora" in named and "asha" not in named, named  # before, SQLite: asha named
