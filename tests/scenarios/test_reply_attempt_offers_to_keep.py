"""A DM "reply 1 customer about the outage, apologised" keeps nothing (``reply`` takes just a
prompt's number) and offers to keep the words, as other mistyped commands do: it answered
"I didn't record that" with no "Keep as a narration" button, so the update was lost unless
retyped."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration


async def _rows(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


async def test_a_dm_reply_with_words_after_the_number_offers_to_keep_them(chat, db):
    out = await chat.say("carol in dm: reply 1 customer about the outage, apologised")
    assert "I didn't record that" in out
    assert (
        "(button) Keep as a narration: "
        "/narrate note reply 1 customer about the outage, apologised" in out
    )
    assert await _rows(db) == []
    out = await chat.say("carol in dm: /narrate note reply 1 customer about the outage, apologised")
    assert "Noted as #1." in out
