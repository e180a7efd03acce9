"""Short requests to the bot read as what they ask: "need help with my notes" is its help.

A DM "need help with my notes" was kept as a private narration (and ``/narrate need help with
my notes`` published one), while "help me with my notes" got the help. Asking for help with
work ("need help with kafka acls") still says who knows.

And a follow list: "follow kafka, unblocked" and "follow embedded, distributed systems" were
kept as narrations, as if "unblocked" and "embedded" said what was done.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.preference_tables import FOLLOW, TopicPreference
from narrate_bot.storage.tables import Narration

CAROL = "carol in #general: /narrate tightened the kafka acls for the ledger topics"


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


@pytest.mark.parametrize(
    "line",
    [
        "alice in dm: need help with my notes",
        "alice in dm: I need some help with the bot",
        "alice in dm: need help with narrate commands please",
        "alice in #general: /narrate need help with my notes",
    ],
)
async def test_help_with_the_bots_things_is_the_help(chat, db, line):
    await chat.say(CAROL)
    out = await chat.say(line)
    assert "/narrate forget-me" in out and "Noted" not in out, out
    assert "Who knows" not in out, out
    assert await _texts(db) == ["tightened the kafka acls for the ledger topics"]
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_help_with_work_still_says_who_knows(chat, db):
    await chat.say(CAROL)
    out = await chat.say("alice in dm: need help with kafka acls")
    assert "Who knows about “kafka acls”:" in out and "@carol" in out, out
    assert await _texts(db) == ["tightened the kafka acls for the ledger topics"]


async def test_how_work_stands_is_still_kept(chat, db):
    out = await chat.say("alice in dm: need help with my notes since monday, still stuck")
    assert "/narrate forget-me" not in out, out
    assert await _texts(db) == ["need help with my notes since monday, still stuck"]


async def _followed(db) -> list[str]:
    async with db.transaction() as session:
        rows = (await session.exec(select(TopicPreference))).all()
    return sorted(r.topic for r in rows if r.kind == FOLLOW)


async def test_a_follow_list_with_a_status_word_or_an_ed_subject_is_followed(chat, db):
    # "unblocked" was read as work done, and "follow kafka, unblocked" kept as a narration.
    out = await chat.say("carol in #general: /narrate follow kafka, unblocked")
    assert "Noted" not in out and "Following kafka." in out, out
    assert "“unblocked” says how work is going" in out, out
    # "embedded" and "distributed" name subjects (the topic rules keep them).
    out = await chat.say("carol in #general: /narrate follow embedded, distributed systems")
    assert "Noted" not in out, out
    assert await _followed(db) == ["distributed systems", "embedded", "kafka"]
    assert await _texts(db) == []
    # A list ending with what was done is still work to keep.
    assert "Noted" in await chat.say("carol in #general: /narrate follow schema, migrated")
