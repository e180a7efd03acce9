"""A narration unshared (on another replica) while the who-knows answer quoting it is being
kept still leaves the answer, when the answer's channel may no longer read it.

PostgreSQL only: there the unshare could commit between the keeping's read of the narration and
its insert, and, finding no quote yet, changed nothing; the channel kept reading words their
author had taken back to a private channel. The keeping holds the quoted narrations until it
commits (``narration_copies.held_as_now``): the unshare waits, then finds the quote. SQLite's
BEGIN IMMEDIATE runs the two writers one after the other. Found by privacy review."""

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


async def test_an_unshare_while_the_answer_is_kept_still_reaches_it(
    bot, chat, db, clock, tmp_path, monkeypatch
):
    if db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    other = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    real = answer_copies.store.readable_in
    racing: list[asyncio.Task[str]] = []

    async def unshared_meanwhile(session, *, narration_id, channel_pk):  # type: ignore[no-untyped-def]
        result = await real(session, narration_id=narration_id, channel_pk=channel_pk)
        if not racing:  # another replica's unshare, once the keeping read the narration
            conn = await session.connection()
            writer = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            racing.append(asyncio.create_task(other.say("alice: /narrate unshare 1")))
            # It either runs through now or waits for this transaction: seen in PostgreSQL's
            # locks, not guessed from how long it took.
            while not racing[0].done() and not await _blocked_by(db, writer):
                await asyncio.sleep(0.01)
        return result

    monkeypatch.setattr(answer_copies.store, "readable_in", unshared_meanwhile)
    out = await chat.say(
        ":channel #secret private alice",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",  # the whole workspace's: an answer in #general quotes it
        "bob in #general: @narrate who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "#general thread"), out
    said = await racing[0]
    assert "is no longer shared" in said, said
    printed = chat.out.getvalue() + other.out.getvalue()
    edits = printed.split("[console] edited a1 in #general")
    assert len(edits) > 1, said  # the answer was edited, at once
    # The console prints the edited message, then says which it was.
    last = _said_in(edits[-2], "#general thread").rsplit("[#general thread] ", 1)[-1]
    assert "hunter2" not in last and "(removed by its author)" in last, last
