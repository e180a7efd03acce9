"""Help on a command is found by the command's own words, not by what help says about it.

A newcomer asking "help me with kafka" got the help line of ``note`` (its example is "follow
kafka") instead of who knows about kafka; "help me with search" got the line of ``mine``
(which "searches"); and ``/narrate help follow`` brought the ``note`` line along. Help also
never said how to ask about one command, that a DM needs no ``/narrate``, nor that narrating
"stuck on …" names who can help.
"""

from __future__ import annotations

import pytest

CAROL = "carol in #general: /narrate tuned the kafka consumer and wrote the search indexer"
NOTE = "/narrate note <text>"


@pytest.mark.parametrize(("asked", "topic"), [("kafka", "kafka"), ("search", "search")])
async def test_help_me_with_a_word_only_an_example_uses_asks_who_knows(chat, asked, topic):
    await chat.say(CAROL)
    out = await chat.say(f"alice in dm: help me with {asked}")
    assert f"Who knows about “{topic}”:" in out and "@carol" in out
    assert NOTE not in out and "/narrate mine" not in out


async def test_help_follow_is_the_follow_line_alone(chat):
    out = await chat.say("alice: /narrate help follow")
    assert "/narrate follow <topic> · unfollow <topic>|all" in out
    assert NOTE not in out


async def test_help_on_words_only_a_description_has_still_finds_the_line(chat):
    out = await chat.say("alice: /narrate help time zone")
    assert "/narrate timezone <Area/City>" in out and "I have no help on" not in out


async def test_help_me_with_schedules_is_still_help(chat):
    out = await chat.say("alice in dm: help me with schedules")
    assert "/narrate schedule skips [#channel]" in out and "Who knows" not in out


async def test_help_names_help_on_one_command_dms_and_being_stuck(chat):
    out = await chat.say("alice: /narrate help")
    assert "In a DM, skip /narrate; /narrate help <command> shows one." in out
    stuck = await chat.say("alice: /narrate help stuck")
    assert "I have no help on" not in stuck
    assert "/narrate stuck on <what> (or need help with …): I name who narrates about it" in stuck
