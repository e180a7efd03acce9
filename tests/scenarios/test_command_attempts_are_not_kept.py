"""A mistyped or missing command is answered, never kept: "/narrate find kafka" used to be
published as a narration that anyone in the channel could find through "who knows". The words
are quoted back with a way to keep them as written; work that merely starts with a command's
word stays a narration."""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Narration, Person


async def _stored(db) -> tuple[list[str], int]:
    async with db.transaction() as s:
        texts = [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]
        people = len((await s.exec(select(Person))).all())
    return texts, people


ATTEMPTS = [
    ("find kafka", "/narrate who <topic>"),
    ("unfollow @bob", "/narrate follow <topic>"),
    ("search postgres vacuum", "/narrate mine <words>"),
    ("settings", "/narrate help"),
    ("status", "/narrate profile"),
    ("skip next week", "/narrate intros skip"),
    ("timezone Europe Berlin", "/narrate timezone Area/City"),
    ("share design doc", "/narrate share 3"),
    ("delete old one", "/narrate delete 3"),
    ("pause for 2 weeks", "/narrate pause 2w"),
    ("join #team", "/narrate join, alone"),
    ("export json", "/narrate export, alone"),
    ("stats kafka", "/narrate stats, alone"),
]


@pytest.mark.parametrize(("text", "meant"), ATTEMPTS)
async def test_a_command_that_doesnt_parse_is_answered_and_nothing_is_kept(chat, db, text, meant):
    out = await chat.say(f"alice in #general: /narrate {text}")
    assert "Noted" not in out and meant in out
    assert f"I didn't keep this:\n  > {text}\n" in out
    assert f"or send /narrate note {text}" in out
    assert f"(button) Keep as a narration: /narrate note {text}" in out
    assert await _stored(db) == ([], 0)  # nobody enrolled either
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_nobody_finds_the_author_through_a_mistyped_command(chat):
    await chat.say("alice in #general: /narrate find kafka")
    out = await chat.say("carol in #general: /narrate who knows about kafka")
    assert "@alice" not in out


async def test_the_button_or_note_keeps_the_words_exactly_as_written(chat, db):
    out = await chat.say("alice in #general: /narrate find kafka")
    command = out.split("(button) Keep as a narration: ", 1)[1].splitlines()[0]
    out = await chat.say(f"alice in #general: {command}")  # what the button sends
    assert "Noted as #1." in out
    out = await chat.say("alice in #general: /narrate note pause until the fix lands")
    assert "Noted as #2." in out and "If you meant" not in out
    # "note" before anything but a command's word is part of the narration.
    assert "Noted as #3." in await chat.say("alice: /narrate note to self: vacuum runs nightly")
    texts, _ = await _stored(db)
    assert texts == [
        "find kafka",
        "pause until the fix lands",
        "note to self: vacuum runs nightly",
    ]
    assert "@alice" in await chat.say("carol in #general: /narrate who knows about kafka")


PROSE = [
    "share the design doc with the data team",
    "pause the rollout",
    "share the doc",
    "join tables are slow on the ledger db",
    "follow up with the vendor on the contract renewal",
    "search relevance doc drafted for the team",
    "status page now shows the ledger db",
    "skip lists replaced by a b-tree in the index",
    "export job for finance fixed, it ran twice",
    "settings page redesign shipped",
]


@pytest.mark.parametrize("text", PROSE)
async def test_work_that_starts_with_a_command_word_is_still_kept(chat, db, text):
    out = await chat.say(f"alice in #general: /narrate {text}")
    assert "Noted as #1." in out and "I didn't keep" not in out
    assert (await _stored(db))[0] == [text]


async def test_a_sentence_after_a_settings_word_still_gets_its_hint(chat):
    out = await chat.say("alice: /narrate pause the rollout until the fix lands")
    assert "Noted as #1." in out and "If you meant to pause" in out
    out = await chat.say("alice: /narrate share the design doc with the data team")
    assert "Noted as #2." in out and "/narrate share 3" in out
