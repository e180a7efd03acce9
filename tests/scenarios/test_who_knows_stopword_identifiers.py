"""An identifier whose words are only stopwords or single letters ("the_", "a_", "of_the") names
nobody. Searched as "the", SQLite listed everyone who wrote "the" as knowing about "the_"
("narrated about the 1 time") while PostgreSQL's english parser dropped it and found nobody: the
two engines answered differently. Odd identifiers with content words still answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.scenarios.test_who_knows_identifiers import people


@pytest.mark.parametrize("question", ["who knows the_?", "who knows a_?", "who knows of_the?"])
async def test_a_stopword_with_an_underscore_finds_nobody_for_it(chat, clock, question):
    await chat.say("otto: /narrate the deploy went fine", "ines: /narrate a parser rewrite")
    clock.advance(timedelta(days=1))
    out = await chat.say(f"zoe: /narrate {question}")
    assert people(out) == [], out
    assert "narrated about the" not in out, out


@pytest.mark.parametrize(
    "question",
    ["who knows __init__ or _private?", "who knows snake_case_with_many_parts?", "who knows __?"],
)
async def test_odd_identifiers_answer(chat, clock, question):
    await chat.say(
        "ines: /narrate __init__ of the plugin loader reads _private settings",
        "ines: /narrate snake_case_with_many_parts renamed in the parser",
        "otto: /narrate the deploy went fine",
    )
    clock.advance(timedelta(days=1))
    out = await chat.say(f"zoe: /narrate {question}")
    if question != "who knows __?":
        assert people(out)[:1] == ["ines"], out
