"""A subject that is one word, written with a hyphen too ("speed-up" and "speedup"), is one
topic when followed, hidden or asked about, in both directions, as it is on the topic map.

Before, topics stored "a polynomial speed-up" as "speedup", but matching read "speed-up" as
"speed": following "speedup" missed "speed-up" narrations, following "speed-up" brought any
narration about "speed" and missed "speedup" ones, and hiding "speed-up" kept nobody out of a
"speedup" question. Written apart ("speed up the build") it stays its words, as topics read it:
"built in Go" is no builtin.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from narrate_bot.knowledge.topic_match import matching
from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_who_knows_symbol_names import people


async def test_following_speedup_brings_speed_up_narrations(chat):
    out = await chat.say("carol: /narrate follow speedup")
    assert "Following speedup." in out, out
    await chat.say(
        "alice: /narrate a polynomial speed-up for the grover search",
        "bob: /narrate the speed of the ledger exports",
    )
    out = await chat.say(":advance 7d")
    assert "a polynomial speed-up for the grover search" in out, out
    assert "speed of the ledger" not in out, out


async def test_following_speed_up_brings_speedup_narrations_only(chat):
    out = await chat.say("carol: /narrate follow speed-up")
    assert "Following speed-up." in out, out
    await chat.say(
        "alice: /narrate measured the speedup of the ledger exports",
        "bob: /narrate the speed of light in fibre",
    )
    out = await chat.say(":advance 7d")
    assert "measured the speedup of the ledger exports" in out, out
    assert "speed of light" not in out, out


async def _team(chat, clock) -> None:
    await chat.say(
        "sasha: /narrate measured the speedup of the grover search",
        "dora: /narrate the grover search speedup on the new hardware",
    )
    clock.advance(timedelta(days=1))


async def test_hiding_speed_up_keeps_out_of_speedup_questions(chat, clock):
    await _team(chat, clock)
    assert "sasha" in people(await chat.say("zoe: /narrate who knows about speedup"))
    out = await chat.say("sasha: /narrate hide-me speed-up")
    assert "I won't name you" in out, out
    assert people(await chat.say("zoe: /narrate who knows about speedup")) == ["dora"]


async def test_speed_up_hidden_before_keeps_hiding_after_a_start(chat, clock, db):
    """A "speed-up" hidden before was keyed "speed": the next start rekeys it."""
    await _team(chat, clock)
    await chat.say("sasha: /narrate hide-me speed-up")
    async with db.engine.begin() as conn:  # as every version before this one keyed it
        await conn.execute(text("UPDATE topic_preference SET topic_key = 'speed'"))
    await upgrade(db)
    assert people(await chat.say("zoe: /narrate who knows about speedup")) == ["dora"]
    out = await chat.say("sasha: /narrate unhide-me speedup")
    assert "You can be named again in answers about speed-up." in out, out


async def test_asking_to_be_asked_about_speed_up_lifts_for_speedup(chat, clock):
    await _team(chat, clock)
    await chat.say("sasha: /narrate ask-me-about speed-up")
    out = await chat.say("zoe: /narrate who knows about speedup")
    assert "asks to be asked about it" in out, out


def test_written_apart_it_is_its_words() -> None:
    topics = ["builtin", "built-in", "speedup", "speed"]
    assert matching(topics, "this tool is built in Go") == []
    assert matching(topics, "how to speed up the build") == ["speed"]
    # The hyphenated spelling is the one word and its words: hiding "speed" still covers it.
    assert matching(topics, "the speed-up of the build") == ["speedup", "speed"]
    assert matching(topics, "Go's built-ins") == ["builtin", "built-in"]
