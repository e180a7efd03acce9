"""The index holds only a symbol name's letter ("C++", "C#" and "plan B/C" are all "c"), so
which narrations spell the name is decided before each term's window of its newest 100 matches,
on both engines: many newer narrations that only hold the letter hide no older C++, C or R, as
newer .NET hides no older "net" (``test_net_question_is_not_dotnet``)."""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.test_who_knows_symbol_names import people

WRITERS = ("dora", "asha", "omar")


async def _then_many(chat, clock, texts: tuple[str, ...], count: int = 150) -> None:
    clock.advance(timedelta(hours=1))
    await chat.say(
        *(f"{WRITERS[i % 3]}: /narrate {texts[i % len(texts)]} {i} checked" for i in range(count))
    )
    clock.advance(timedelta(days=1))


async def test_many_newer_letter_c_narrations_hide_no_older_cpp(chat, clock):
    """Before, 150 newer narrations holding the letter filled the window of "c", and cody, who
    profiled the C++ allocator earlier, was named in no answer about C++."""
    await chat.say("cody: /narrate profiled the C++ allocator")
    await _then_many(chat, clock, ("plan B/C for build", "vitamin c order", "C# client"))
    assert people(await chat.say("zoe: @narrate who knows about C++?")) == ["cody"]
    assert people(await chat.say("zoe: /narrate who c#")) == ["omar"]  # "C# client" alone


async def test_many_newer_cpp_narrations_hide_no_older_c_or_r(chat, clock):
    await chat.say(
        "cleo: /narrate rewrote the parser in plain C",
        "rosa: /narrate fitted the churn model in R",
    )
    await _then_many(chat, clock, ("C++ build", "c++17 modules", "r/w lock contention"))
    assert people(await chat.say("zoe: @narrate who knows C?")) == ["cleo"]
    assert people(await chat.say("zoe: @narrate who knows R?")) == ["rosa"]
    assert sorted(people(await chat.say("zoe: @narrate who knows about C++?"))) == ["asha", "dora"]
