"""``/narrate help <anything>`` is help, never a narration.

Before, only a few single words counted: ``help unskip`` or ``help schedule skips`` was published
as a narration ("Noted as #1. Topics: help, unskip") and enrolled the person who asked.
"""

from __future__ import annotations

import pytest

ASKED = [
    ("skip", "skip <date>"),
    ("skips", "/narrate schedule skips [#channel]"),
    ("unskip", "unskip <date>[..<date>] [#channel]"),
    ("reminder", "/narrate schedule reminder|digest"),
    ("digest", "/narrate schedule reminder|digest"),
    ("managers", "/narrate schedule managers admins|members"),
    ("schedule skips", "/narrate schedule skips [#channel]"),
    ("intros schedule", "/narrate intros schedule mon 10:00"),
    ("never-pair remove", "never-pair remove @name"),
    ("remind", "/narrate remind me weekdays 09:30"),
]


@pytest.mark.parametrize(("topic", "line"), ASKED)
async def test_help_on_a_topic_shows_its_lines_and_stores_nothing(chat, topic, line):
    for asked in (f"help {topic}", f"? {topic}"):
        out = await chat.say(f"alice: /narrate {asked}")
        assert "Noted" not in out and line in out, out
        assert "/narrate help lists everything." in out
        assert "/narrate forget-me" not in out  # the lines about it, not all of it
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_help_on_something_unknown_says_so_and_shows_everything(chat):
    out = await chat.say("alice: /narrate help with the frobnicator")
    assert "] I have no help on “with the frobnicator”; here is everything." in out, out
    assert "/narrate forget-me" in out and "Noted" not in out
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_help_on_remind_is_not_help_on_reminders(chat):
    out = await chat.say("alice: /narrate help remind")
    assert "reminder|digest" not in out


async def test_help_in_a_dm_is_help_not_a_private_note(chat):
    out = await chat.say("alice in dm: help skip")
    assert "unskip" in out and "Noted" not in out
    assert "Noted" not in await chat.say("alice in dm: help")
    assert "haven't narrated" in await chat.say("alice: /narrate mine")
