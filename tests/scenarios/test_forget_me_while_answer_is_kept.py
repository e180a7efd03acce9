"""An author's forget-me (or delete) that runs while a who-knows answer quoting them is being
kept still reaches the answer: the channel doesn't keep their words.

The answer is posted, then kept (``Bot.reply_posted``). A forget-me in between is seen by the
keeping, which removes the line at once (both engines). On PostgreSQL a forget-me on another
replica can also start once the keeping has inserted its quote but not committed it: it read
the messages quoting the person's narrations before that commit and missed the answer, which
kept quoting what "Done: I erased everything about you" said was gone. It now takes the
narrations first, which waits for the keeping to commit, and then sees the answer. Found by
privacy review."""

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
FORGET = ("alice: /narrate forget-me", "alice: /narrate forget-me confirm")


async def test_a_forget_me_before_the_answer_is_kept_reaches_it(bot, chat, monkeypatch):
    real = Bot.reply_posted
    held: list[tuple[object, ...]] = []

    async def later(self: Bot, *args: object) -> None:  # the adapter reports it late
        held.append(args)

    monkeypatch.setattr(Bot, "reply_posted", later)
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}",
        "bob in #general: @narrate who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "#general thread"), out
    assert "Done: I erased everything about you" in await chat.say(*FORGET)
    before = len(chat.out.getvalue())
    [args] = held
    await real(bot, *args)  # type: ignore[arg-type]
    printed = chat.out.getvalue()[before:]
    assert "[console] edited a1 in #general" in printed, printed
    assert "hunter2" not in _said_in(printed, "#general thread")


@pytest.mark.parametrize("change", [FORGET, ("alice: /narrate delete 1",)], ids=["forget", "del"])
async def test_a_change_while_the_answer_is_kept_reaches_it(
    bot, chat, db, clock, tmp_path, monkeypatch, change
):
    """Another replica's forget-me (or delete) is confirmed once this one's keeping of the
    answer inserted its quote, before it commits."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: nothing runs between the insert and the commit")
    other = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    await chat.say(f"alice in #general: /narrate {SECRET}", *change[:-1])
    real = answer_copies.store.keep
    racing: list[asyncio.Task[str]] = []

    async def kept_then_raced(session, **kw):  # type: ignore[no-untyped-def]
        kept = await real(session, **kw)
        conn = await session.connection()
        writer = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        racing.append(asyncio.create_task(other.say(change[-1])))
        # It either runs through now or waits for this transaction: seen in PostgreSQL's
        # locks, not guessed from how long it took.
        while not racing[0].done() and not await _blocked_by(db, writer):
            await asyncio.sleep(0.01)
        return kept

    monkeypatch.setattr(answer_copies.store, "keep", kept_then_raced)
    out = await chat.say("bob in #general: @narrate who knows about kafka?")
    assert "hunter2" in _said_in(out, "#general thread"), out
    said = await racing[0]
    assert "Done: I erased everything" in said or "Deleted #1" in said, said
    edited = other.out.getvalue().split("[console] edited a1 in #general", 1)
    assert len(edited) == 2, said  # the change reached the answer, at once
    assert "hunter2" not in _said_in(edited[1], "#general thread")
