"""A narration deleted (by another replica) while the who-knows answer quoting it is being
kept still reaches the answer: the channel doesn't keep its words.

PostgreSQL only: there the delete can commit between the keeping's read of the narration and
its insert (which then fails its foreign key); SQLite's BEGIN IMMEDIATE runs the two writers one
after the other. Found by privacy review."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.features import answer_copies
from tests.helpers import Chat
from tests.scenarios.test_intros_pace import _blocked_by
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"


async def test_a_delete_while_the_answer_is_kept_still_reaches_the_answer(
    bot, chat, db, clock, tmp_path, monkeypatch
):
    if bot.db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    other = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    real = answer_copies.store.readable_in
    raced: list[asyncio.Task[str]] = []

    async def deleted_meanwhile(session, *, narration_id, channel_pk):
        result = await real(session, narration_id=narration_id, channel_pk=channel_pk)
        if not raced:  # another replica's /narrate delete, once the keeping read the narration
            conn = await session.connection()
            writer = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            raced.append(asyncio.create_task(other.say("alice: /narrate delete 1")))
            # It either commits now (the keeping's insert then fails its foreign key, and it
            # runs again) or waits for the keeping (which holds the narration) and then finds
            # its quote: seen in PostgreSQL's locks, not guessed from how long it took.
            while not raced[0].done() and not await _blocked_by(db, writer):
                await asyncio.sleep(0.01)
        return result

    monkeypatch.setattr(answer_copies.store, "readable_in", deleted_meanwhile)
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}",
        "bob in #general: @narrate who knows about kafka?",
    )
    said = await raced[0]
    assert "Deleted #1" in said, said
    assert "hunter2" in _said_in(out, "#general thread"), out
    printed = chat.out.getvalue() + other.out.getvalue()
    edits = printed.split("[console] edited a1 in #general")
    assert len(edits) > 1, printed  # edited at once, by the keeping or by the delete
    # The console prints the edited message, then says which it was.
    last = _said_in(edits[-2], "#general thread").rsplit("[#general thread] ", 1)[-1]
    assert "hunter2" not in last and "(removed by its author)" in last, last
