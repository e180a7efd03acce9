"""Open questions at the edges of their life: asked again after being withdrawn, and erased by a
forget-me whose index clean-up fails afterwards."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from narrate_bot.storage import privacy
from narrate_bot.storage.question_tables import OpenQuestion


async def test_a_question_withdrawn_can_be_asked_again_at_once(chat):
    await chat.say(
        ":channel #team public", "alice: /narrate questions-channel #team", "zoe: /narrate join"
    )
    assert "Posted your question in #team" in await chat.say(
        "zoe: /narrate ask-channel #team who knows cobol?"
    )
    assert "Its post is removed from #team" in await chat.say("zoe: /narrate ask-channel withdraw")
    # Not a double click: nothing of it is in #team any more.
    out = await chat.say("zoe: /narrate ask-channel #team who knows cobol?")
    assert "Already posted" not in out and "Posted your question in #team" in out


async def test_a_failed_index_clean_up_still_removes_the_posts_and_says_so(chat, bot, monkeypatch):
    await chat.say(":channel #questions public", "ann: /narrate questions-channel #questions")
    assert "[console] posted as m1" in await chat.say(
        "zoe: /narrate ask-channel #questions cobol mainframes"
    )

    async def locked(db, *, erasure: bool = False) -> None:
        raise OperationalError("merge step", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(privacy, "clear_traces", locked)
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    async with bot.db.transaction() as session:
        assert (await session.exec(select(OpenQuestion))).all() == []  # the erasure stands
    assert "[console] removed m1 from #questions" in out
    assert "Done: I erased everything about you" in out
    assert "couldn't finish wiping them from the search index's storage" in out
