"""A hide-me holds whichever way a question or a narration spells the hidden topic.

The search reads "file_system" and "kafka_streams" as their words too, so a question written
as an identifier found whoever narrated "file system" or "kafka", hide-me or not: the hide was
matched against the identifier whole. And "fïlesystem" sits on the map's "file system" row
(accents folded), so a hide of "file system" must follow it there and in answers.
"""

from __future__ import annotations

import re

from tests.scenarios.test_who_knows_ranking import people as named


async def test_a_question_written_as_an_identifier_respects_the_hide(chat):
    await chat.say(
        "bob: /narrate hide-me file system",
        "bob: /narrate file system quotas",
        "carol: /narrate file system snapshots",
    )
    out = await chat.say("zoe: /narrate who knows about file_system?")
    assert "carol" in named(out), out
    assert "bob" not in named(out), out


async def test_a_hide_of_one_word_holds_against_an_underscored_question(chat):
    await chat.say(
        "bob: /narrate hide-me kafka",
        "bob: /narrate kafka streams rebalance",
        "carol: /narrate kafka streams lag",
    )
    out = await chat.say("zoe: /narrate who knows about kafka_streams?")
    assert "carol" in named(out), out
    assert "bob" not in named(out), out


async def test_an_accented_closed_spelling_is_covered_in_answers(chat):
    await chat.say(
        "bob: /narrate hide-me file system",
        "bob: /narrate filesystem quotas",
        "carol: /narrate filesystem snapshots",
    )
    out = await chat.say("zoe: /narrate who knows about fïlesystem?")
    assert "bob" not in named(out), out


async def test_an_accented_spelling_on_the_map_row_is_covered(chat):
    await chat.say(
        "bob: /narrate hide-me file system",
        "bob: /narrate fïlesystem cleanup",
        "carol: /narrate file system quotas",
        "dan: /narrate file system snapshots",
    )
    out = await chat.say("zoe: /narrate topics")
    row = re.search(r"^\s*\d+\. (f\S*l\S* ?system): .*$", out, re.M)
    assert row is not None, out
    assert "@bob" not in row.group(0), out
