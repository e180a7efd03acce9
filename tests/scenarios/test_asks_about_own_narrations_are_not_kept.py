"""Asking to act on one's own narrations or data is answered, never kept as a narration.

"/narrate list my narrations", "export my data", "delete the old one", "edit the last one" or
"cancel that" was kept (and "delete my kafka narrations" made its author someone who knows about
kafka), because "my", "the", "that" never open a command's arguments. A few words that are all
a verb and what it acts on (my narrations, notes, updates or data, the old or last one, that)
get the way to do it and the "Keep as a narration" offer; a sentence stays a narration.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Narration, Person

MINE = "To see yours: /narrate mine lists your narrations with their numbers"
EXPORT = "/narrate export, alone, sends everything I store about you"
DELETE = "To delete one: /narrate mine lists them with numbers, then /narrate delete <number>."
EDIT = "To edit one: /narrate mine lists them with numbers, then /narrate edit <number> <new text>."
FORGET = "To erase everything I store about you: /narrate forget-me"

ATTEMPTS = [
    ("list my narrations", MINE),
    ("show my updates", MINE),
    ("list all my narrations", MINE),
    ("export my data", EXPORT),
    ("show me my data", EXPORT),
    ("delete the old one", DELETE),
    ("delete my last note", DELETE),
    ("remove my narration", DELETE),
    ("please delete my last note.", DELETE),
    ("delete my kafka narrations", DELETE),
    ("undo", "/narrate delete <number> removes one of yours"),
    ("undo that", DELETE),
    ("cancel that", DELETE),
    ("cancel", "/narrate resume ends a pause"),
    ("edit the last one", EDIT),
    ("change my last note", EDIT),
    ("share the last one", "then /narrate share <number>"),
    ("delete my account", FORGET),
    ("forget me", FORGET),
]


async def _stored(db) -> tuple[list[str], int]:
    async with db.transaction() as s:
        texts = [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]
        people = len((await s.exec(select(Person))).all())
    return texts, people


@pytest.mark.parametrize(("text", "meant"), ATTEMPTS)
async def test_asking_about_ones_own_narrations_is_answered_and_not_kept(chat, db, text, meant):
    out = await chat.say(f"alice in #general: /narrate {text}")
    assert "Noted" not in out and meant in out
    assert f"I didn't keep this:\n  > {text}\n" in out
    assert f"(button) Keep as a narration: /narrate note {text}" in out
    assert await _stored(db) == ([], 0)  # nobody enrolled either


@pytest.mark.parametrize(
    ("text", "meant"),
    [("delete my last note", DELETE), ("cancel that", DELETE), ("list my notes", MINE)],
)
async def test_the_same_in_a_dm_is_answered_not_kept_as_a_note(chat, db, text, meant):
    await chat.say("alice in #general: /narrate tuned the kafka brokers")
    out = await chat.say(f"alice in dm: {text}")
    assert "Noted" not in out and meant in out
    assert f"(button) Keep as a narration: /narrate note {text}" in out
    assert (await _stored(db))[0] == ["tuned the kafka brokers"]


async def test_nobody_is_found_as_knowing_through_asking_to_delete(chat, db):
    await chat.say("alice in #general: /narrate delete my kafka narrations")
    out = await chat.say("carol in #general: /narrate who knows about kafka")
    assert "@alice" not in out


async def test_the_hint_leads_to_the_command_and_the_button_still_keeps_it(chat, db):
    await chat.say("alice in #general: /narrate tuned the kafka brokers")
    out = await chat.say("alice in #general: /narrate delete the old one")
    assert DELETE in out
    assert "#1  2026-11-23  #general  tuned the kafka brokers" in await chat.say(
        "alice: /narrate mine"
    )
    command = out.split("(button) Keep as a narration: ", 1)[1].splitlines()[0]
    out = await chat.say(f"alice in #general: {command}")  # what the button sends
    assert "Noted as #2." in out
    assert (await _stored(db))[0] == ["tuned the kafka brokers", "delete the old one"]


PROSE = [
    "list view redesign shipped",
    "export my data to the new warehouse took all day",
    "export my notes to confluence",
    "list my open prs",
    "delete the old index",
    "remove the old feature flags",
    "update the release notes",
    "share the update with finance",
    "show my team the new dashboard",
    "delete my notes app, switched to obsidian",
    "clear the old one out of the rack",
    "my last note was about the kafka brokers",
]


@pytest.mark.parametrize("text", PROSE)
async def test_work_that_names_notes_or_data_in_a_sentence_is_still_kept(chat, db, text):
    out = await chat.say(f"alice in #general: /narrate {text}")
    assert "Noted as #1." in out and "I didn't keep" not in out
    assert (await _stored(db))[0] == [text]
