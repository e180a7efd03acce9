""" "help me with kafka acls" asks for help with work: it is answered with who knows, not the
help page, and nothing is kept.

A DM to the bot is read like ``/narrate`` text, and ``help <anything>`` is the bot's help, so
someone writing "help me with kafka acls" to the bot got "I have no help on “me with kafka
acls”; here is everything." and a list of commands. Words that name something of the bot's
("help me with schedules", "help me with my notes") still get help.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.features.members_only import MEMBERS_ONLY
from narrate_bot.storage.tables import Narration

CAROL = "carol in #general: /narrate tightened the kafka acls for the ledger topics"


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


@pytest.mark.parametrize(
    "line",
    [
        "alice in dm: help me with kafka acls",
        "alice in dm: help us out with kafka acls",
        "alice in #general: /narrate help me with kafka acls",
        "alice in dm: help me on kafka acls please",
    ],
)
async def test_help_me_with_a_topic_says_who_knows_and_keeps_nothing(chat, db, line):
    await chat.say(CAROL)
    out = await chat.say(line)
    assert "Who knows about “kafka acls”:" in out and "@carol" in out
    assert "I have no help on" not in out and "/narrate forget-me" not in out
    assert "Noted" not in out
    assert await _texts(db) == ["tightened the kafka acls for the ledger topics"]
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_nobody_known_still_answers_as_a_question_not_help(chat, db):
    out = await chat.say("alice in dm: help me with the frobnicator rollout")
    assert "I couldn't find anyone who narrated about" in out and "frobnicator rollout" in out
    assert "I have no help on" not in out and "Noted" not in out
    assert await _texts(db) == []


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("alice in dm: help me with schedules", "/narrate schedule skips [#channel]"),
        ("alice in dm: help me", "/narrate forget-me"),
        ("alice in dm: help me with commands", "/narrate forget-me"),
        ("alice in dm: help me with my notes", "/narrate forget-me"),
        ("alice: /narrate help with the frobnicator", "/narrate forget-me"),
    ],
)
async def test_help_me_with_the_bots_things_is_still_help(chat, db, line, shown):
    await chat.say(CAROL)
    out = await chat.say(line)
    assert shown in out and "Who knows" not in out and "Noted" not in out
    assert await _texts(db) == ["tightened the kafka acls for the ledger topics"]


async def test_a_guest_asking_for_help_with_a_topic_sees_nobodys_narrations(chat):
    await chat.say(":guest pat", CAROL)
    out = await chat.say("pat in dm: help me with kafka acls")
    assert MEMBERS_ONLY.split(",")[0] in out and "@carol" not in out
