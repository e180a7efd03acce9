"""Work that merely starts with "mine" or "schedule question" stays a narration.

``/narrate mine <words>`` became a search of one's own narrations and ``schedule question
<number> …`` a prompt's question, and with them "/narrate mine was a long day: …" was run as a
search (nothing kept, the text not quoted back: "You haven't narrated anything yet" to someone
narrating for the first time) and "/narrate schedule question for the offsite: …" answered
"Which prompt? Give its number …", the text gone. Both were kept as narrations before.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


MINE_SENTENCE = (
    "mine was a long day: fixed the kafka consumer lag on the ledger and wrote the runbook "
    "for the on-call rotation"
)
QUESTION_SENTENCE = "schedule question for the offsite: do we keep fridays free for focus work?"


async def test_a_first_narration_opening_with_mine_is_kept_with_a_hint(chat, db):
    out = await chat.say(f"alice in #general: /narrate {MINE_SENTENCE}")
    assert "Noted as #1." in out and "/narrate mine <words>" in out
    assert "You haven't narrated anything yet" not in out
    assert await _texts(db) == [MINE_SENTENCE]
    out = await chat.say("alice in #general: /narrate mine is done, the ledger runbook too")
    assert "Noted as #2." in out
    assert "@alice" in await chat.say("carol in #general: /narrate who knows about kafka")


async def test_mine_with_a_few_words_or_dates_still_searches(chat, db):
    await chat.say("alice in #general: /narrate tuned kafka consumer lag alerts")
    out = await chat.say("alice: /narrate mine kafka consumer lag")
    assert "Your narration matching “kafka consumer lag”:" in out
    out = await chat.say("alice: /narrate mine since 2026-11-01")
    assert "Your narration since 2026-11-01:" in out
    assert await _texts(db) == ["tuned kafka consumer lag alerts"]


async def test_a_narration_opening_with_schedule_question_is_kept_with_a_hint(chat, db):
    out = await chat.say(f"alice in #general: /narrate {QUESTION_SENTENCE}")
    assert "Noted as #1." in out and "/narrate schedule question <number>" in out
    assert "Which prompt?" not in out
    assert await _texts(db) == [QUESTION_SENTENCE]


async def test_schedule_question_without_a_number_is_handed_back_whole(chat, db):
    out = await chat.say("alice in #general: /narrate schedule question two")
    assert "/narrate schedule question <number>" in out
    assert "I didn't keep this:\n  > schedule question two\n" in out
    assert "(button) Keep as a narration: /narrate note schedule question two" in out
    # With a number (or #n) it is the command, as before.
    out = await chat.say("alice in #general: /narrate schedule question #7 What now?")
    assert "There's no schedule #7" in out
    assert await _texts(db) == []
