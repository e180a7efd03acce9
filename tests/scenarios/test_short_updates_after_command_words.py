"""A short update that opens with a command's word is kept, a mistyped command still isn't.

Since mistyped commands stopped being kept ("/narrate find kafka" is answered, not published),
any two words after such a word were taken as the command's arguments: "/narrate search ranking
tuned" and "/narrate status page redesign" were answered with "To search your own narrations …"
or "There's no status command …" and not kept. A few words ending with what was done ("tuned",
"fixed", "done") are a sentence; after a word whose command takes nothing ("status",
"settings", "export"), two plain words are what is being worked on.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Narration

UPDATES = [
    "search ranking tuned",
    "status page redesign",
    "settings page redesign",
    "export job fixed",
    "follow up done",
    "topics page live",
    "join order tuning",
    "stats dashboard rebuilt",
    "share button shipped",
]


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


@pytest.mark.parametrize("text", UPDATES)
async def test_a_short_update_opening_with_a_command_word_is_kept(chat, db, text):
    out = await chat.say(f"alice in #general: /narrate {text}")
    assert "Noted as #1." in out and "I didn't keep" not in out
    assert await _texts(db) == [text]


STILL_ATTEMPTS = [
    ("find kafka", "/narrate who <topic>"),
    ("find distributed systems", "/narrate who <topic>"),
    ("search shared drive", "/narrate mine <words>"),
    ("settings", "/narrate help"),
    ("settings page", "/narrate help"),
    ("status @bob", "/narrate profile"),
    ("stats last week", "/narrate stats, alone"),
    ("unsubscribe from prompts", "/narrate leave"),
    ("export json", "/narrate export, alone"),
    ("delete indexes", "/narrate delete 3"),
]


@pytest.mark.parametrize(("text", "meant"), STILL_ATTEMPTS)
async def test_a_mistyped_command_is_still_answered_and_not_kept(chat, db, text, meant):
    out = await chat.say(f"alice in #general: /narrate {text}")
    assert "Noted" not in out and meant in out
    assert f"(button) Keep as a narration: /narrate note {text}" in out
    assert await _texts(db) == []


async def test_mine_with_a_few_words_still_searches(chat, db):
    await chat.say("alice in #general: /narrate tuned kafka consumer lag alerts")
    out = await chat.say("alice: /narrate mine kafka")
    assert "Your narration matching “kafka”:" in out
    assert await _texts(db) == ["tuned kafka consumer lag alerts"]
