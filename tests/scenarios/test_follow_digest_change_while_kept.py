"""A narration deleted, edited or unshared (on another replica) while the followed-topics DM
quoting it is being kept still reaches the DM: the reader isn't left with the old words.

PostgreSQL only: there the change could commit between the keeping's read of the narration and
its insert. A delete then failed the insert's foreign key and nothing was kept (a warning in
the log, the DM quoting the deleted words for good); an edit or unshare found no quote yet and
changed nothing. The keeping now holds the quoted narrations as a who-knows answer's does
(``narration_copies.held_as_now``): the change waits for the DM's record, then reaches it.
SQLite's BEGIN IMMEDIATE runs the two writers one after the other. Found by privacy review."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.features import narration_copies
from tests.helpers import Chat
from tests.scenarios.test_intros_pace import _blocked_by
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
NOW = "kafka rebalancing notes in the runbook"
REMOVED = "(removed by its author)"


@pytest.mark.parametrize(
    ("change", "after"),
    [
        ("alice: /narrate delete 1", REMOVED),
        (f"alice: /narrate edit 1 {NOW}", NOW),
        ("alice: /narrate unshare 1", REMOVED),  # bob isn't in #secret: he may no longer read it
    ],
    ids=["delete", "edit", "unshare"],
)
async def test_a_change_while_the_digest_is_kept_reaches_it(
    bot, chat, db, clock, tmp_path, monkeypatch, change, after
):
    if db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    other = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    await chat.say(
        ":channel #secret private alice",
        "bob: /narrate follow kafka",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",  # the whole workspace's: bob's DM lists it
    )
    real = narration_copies.store.keep
    racing: list[asyncio.Task[str]] = []

    async def changed_meanwhile(session, **kw):  # type: ignore[no-untyped-def]
        if not racing:  # another replica's change, once the keeping read the narration
            conn = await session.connection()
            writer = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            racing.append(asyncio.create_task(other.say(change)))
            # It either runs through now or waits for this transaction: seen in PostgreSQL's
            # locks, not guessed from how long it took.
            while not racing[0].done() and not await _blocked_by(db, writer):
                await asyncio.sleep(0.01)
        return await real(session, **kw)

    monkeypatch.setattr(narration_copies.store, "keep", changed_meanwhile)
    out = await chat.say(":advance 1h")  # Monday 09:00 UTC: bob's weekly DM
    assert "hunter2" in _said_in(out, "dm bob"), out
    said = await racing[0]
    printed = chat.out.getvalue() + other.out.getvalue()
    edits = re.split(r"\[console\] edited m\d+ in dm bob", printed)
    assert len(edits) > 1, said  # the DM was edited, at once
    # The console prints the edited message, then says which it was.
    last = _said_in(edits[-2], "dm bob").rsplit("[dm bob] ", 1)[-1]
    assert "hunter2" not in last and after in last, last


async def test_the_readers_forget_me_while_the_digest_goes_out_empties_it(bot, chat, monkeypatch):
    """bob's forget-me is confirmed after his DM was posted, before it is kept: the keeping
    finds him gone. Nothing is kept under him, and the DM still quoted alice, where no later
    delete could reach it; it is now emptied like the DMs his forget-me found."""
    real = narration_copies.keep
    held: list[dict[str, object]] = []

    async def later(db, **kw):  # type: ignore[no-untyped-def]
        held.append(kw)

    monkeypatch.setattr(narration_copies, "keep", later)
    await chat.say(
        "bob: /narrate follow kafka", f"alice: /narrate {SECRET}", "alice: /narrate kafka lag"
    )
    assert "hunter2" in _said_in(await chat.say(":advance 1h"), "dm bob")
    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out and "edited" not in out, out
    [kw] = held
    await real(bot.db, **kw)  # type: ignore[arg-type]
    out = await chat.say(":advance 1m")  # the wake-up edits what is due
    edited = re.split(r"\[console\] edited m\d+ in dm bob", out)
    assert len(edited) > 1, out
    last = _said_in(edited[-2], "dm bob").rsplit("[dm bob] ", 1)[-1]
    assert "hunter2" not in last and "alice" not in last and "forget you" in last, last
    assert "edited" not in await chat.say("alice: /narrate delete 1")
