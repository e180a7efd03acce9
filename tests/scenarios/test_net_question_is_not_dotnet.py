"""The question side of ".NET is not net": a question about the word "net" ("net revenue")
never names someone who only wrote ".NET", which the index holds as "net" too. A question
about .NET already kept only those who spell it (``words.spells``), and hide-me, follow and
ask-me-about tell the two apart (``test_dotnet_topic_is_not_net``)."""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.test_who_knows_symbol_names import people


async def _team(chat, clock) -> None:
    await chat.say(
        "nora: /narrate net revenue dashboard numbers checked",
        "dora: /narrate upgraded the .NET runtime on the build agents",
        "sasha: /narrate moved the .NET billing service; net margins reconciled too",
    )
    clock.advance(timedelta(days=1))


async def test_a_net_revenue_question_names_nobody_for_dotnet_alone(chat, clock):
    await _team(chat, clock)
    named = people(await chat.say("zoe: /narrate who knows about net revenue"))
    assert "nora" in named and "dora" not in named, named
    named = people(await chat.say("zoe: /narrate who knows about net"))
    assert "dora" not in named and {"nora", "sasha"} <= set(named), named


async def test_a_dotnet_question_still_names_only_dotnet(chat, clock):
    """Coverage: the .NET side, unchanged."""
    await _team(chat, clock)
    assert sorted(people(await chat.say("zoe: /narrate who knows about .NET"))) == [
        "dora",
        "sasha",
    ]


async def test_many_newer_dotnet_narrations_hide_no_older_net(chat, clock):
    """The word "net" is looked up among the narrations that say it, not among the newest that
    hold it in the index: before, 120 newer ".NET" narrations (and 30 "ASP.NET") filled the
    window of "net", and nora, who wrote "net revenue" earlier, was named in no answer."""
    await chat.say("nora: /narrate net revenue dashboard numbers checked")
    clock.advance(timedelta(hours=1))
    writers = ("dora", "asha", "omar")
    await chat.say(
        *(
            f"{writers[i % 3]}: /narrate {'ASP.NET' if i % 5 == 4 else '.NET'} build {i} fixed"
            for i in range(150)
        )
    )
    clock.advance(timedelta(days=1))
    named = people(await chat.say("zoe: /narrate who knows about net"))
    assert named == ["nora"], named
    named = people(await chat.say("zoe: /narrate who knows about .NET"))
    assert "nora" not in named and {"dora", "omar"} <= set(named), named
