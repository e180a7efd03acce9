"""A narration deleted (by another replica) while the who-knows answer quoting it is being
kept still reaches the answer: the channel doesn't keep its words.

PostgreSQL only: there the delete can commit between the keeping's read of the narration and
its insert (which then fails its foreign key); SQLite's BEGIN IMMEDIATE runs the two writers one
after the other. Found by privacy review."""

from __future__ import annotations

import pytest

from narrate_bot.features import answer_copies
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"


async def test_a_delete_while_the_answer_is_kept_still_reaches_the_answer(bot, chat, monkeypatch):
    if bot.db.dialect != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    real = answer_copies.store.readable_in
    raced: list[str] = []

    async def deleted_meanwhile(session, *, narration_id, channel_pk):
        result = await real(session, narration_id=narration_id, channel_pk=channel_pk)
        if not raced:  # another replica's /narrate delete commits now
            raced.append(await chat.say("alice: /narrate delete 1"))
        return result

    monkeypatch.setattr(answer_copies.store, "readable_in", deleted_meanwhile)
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}",
        "bob in #general: @narrate who knows about kafka?",
    )
    assert "Deleted #1" in raced[0], raced
    assert "hunter2" in _said_in(out, "#general thread"), out
    printed = chat.out.getvalue()
    edited = printed.split("[console] edited a1 in #general", 1)
    assert len(edited) == 2, printed  # edited at once, as the answer was kept
    assert "hunter2" not in _said_in(edited[1], "#general thread")
