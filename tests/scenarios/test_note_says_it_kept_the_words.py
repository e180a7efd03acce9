"""``/narrate note <words>`` keeps the words as written, and says so.

"/narrate note share the doc" keeps "share the doc" (note means "keep exactly this", and the
"Keep as a narration" button sends it), but the reply was a bare "Noted as #1.", which left
someone who meant to share a narration thinking it had been shared. The reply now says the
command word wasn't run.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration


async def _rows(db) -> list[tuple[str, str]]:
    async with db.transaction() as s:
        rows = (await s.exec(select(Narration).order_by(Narration.id))).all()
        return [(n.text, n.audience) for n in rows]


async def test_note_before_a_command_word_keeps_the_words_and_says_the_command_didnt_run(chat, db):
    out = await chat.say("alice in #general: /narrate note share the doc")
    assert "Noted as #1." in out
    assert "Kept as written: “share” wasn't run as a command." in out
    assert await _rows(db) == [("share the doc", "channel")]


async def test_note_before_other_words_is_a_narration_without_the_remark(chat, db):
    out = await chat.say("alice in #general: /narrate note to self: vacuum runs nightly")
    assert "Noted as #1." in out and "wasn't run as a command" not in out
    assert await _rows(db) == [("note to self: vacuum runs nightly", "channel")]
