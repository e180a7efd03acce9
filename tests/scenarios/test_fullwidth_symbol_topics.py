"""A symbol-named topic typed at full width ("Ｃ＋＋", "Ｒ", "．ＮＥＴ") is the topic itself, on
every side of hide-me, ask-me-about and follow.

Since migration 0054 the search NFKC-folds a question with width forms (``words.search_terms``),
so "who knows about Ｃ＋＋" finds C++ narrations; but topic stems read symbol and dotted names off
the unfolded text, so such a question had no "c++" among its stems and whoever hid C++ was named.
"""

from __future__ import annotations

import re

import pytest

from tests.scenarios.test_who_knows_ranking import people

SYMBOLS = [
    ("C++", "rewrote the C++ allocator", "Ｃ＋＋"),
    ("R", "ported the R models", "Ｒ"),
    (".NET", "upgraded the .NET runtime", "．ＮＥＴ"),
]


@pytest.mark.parametrize(("topic", "narration", "wide"), SYMBOLS)
async def test_hiding_a_symbol_name_covers_its_fullwidth_spelling(chat, topic, narration, wide):
    await chat.say(f"bob: /narrate {narration}", f"carol: /narrate {narration} again")
    out = await chat.say(f"bob: /narrate hide-me {topic}")
    assert "won't name you" in out, out
    assert people(await chat.say(f"yan: /narrate who knows about {topic}")) == ["carol"]
    out = await chat.say(f"yan: /narrate who knows about {wide}")
    assert people(out) == ["carol"], out


@pytest.mark.parametrize(("topic", "narration", "wide"), SYMBOLS)
async def test_hiding_a_fullwidth_symbol_name_hides_the_usual_one(chat, topic, narration, wide):
    await chat.say(f"bob: /narrate {narration}", f"carol: /narrate {narration} again")
    out = await chat.say(f"bob: /narrate hide-me {wide}")
    assert "won't name you" in out, out
    assert people(await chat.say(f"yan: /narrate who knows about {topic}")) == ["carol"]
    assert people(await chat.say(f"yan: /narrate who knows about {wide}")) == ["carol"]


@pytest.mark.parametrize(("chosen", "asked"), [("Ｃ＋＋", "C++"), ("C++", "Ｃ＋＋")])
async def test_asking_to_be_asked_about_a_symbol_name_at_either_width(chat, chosen, asked):
    await chat.say("bob: /narrate rewrote the C++ allocator", "carol: /narrate tuned the C++ build")
    await chat.say(f"carol: /narrate ask-me-about {chosen}")
    out = await chat.say(f"yan: /narrate who knows about {asked}")
    carol = re.search(r"@carol: (.+)", out)
    assert carol and "asks to be asked about it" in carol.group(1), out
    bob = re.search(r"@bob: (.+)", out)
    assert bob and "asks to be asked about it" not in bob.group(1), out


async def test_following_a_fullwidth_symbol_name(chat):
    out = await chat.say("carol: /narrate follow Ｃ＋＋")
    assert "Following" in out, out
    await chat.say(
        "bob: /narrate rewrote the C++ allocator",
        "dora: /narrate wrote the c compiler notes",
        "erin: /narrate ported the Ｃ＋＋ parser",
    )
    out = await chat.say(":advance 7d")
    assert "rewrote the C++ allocator" in out, out
    assert "ported the Ｃ＋＋ parser" in out, out
    assert "compiler notes" not in out, out
