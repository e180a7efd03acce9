"""A forget-me whose edit of the reader's own DM fails keeps, until the platform takes the edit,
only what that edit needs: the DM (their user id) and the message, never the question they asked
("Who knows about “kafka”"), the people it named, its "This helped" button, or when it was sent.
Their export shows nothing of it, and the edit, once through, shows nothing of it either.

Found by privacy review: the emptied record kept the answer's header and names, and the DM's
edit only took out the quotes, for as long as the platform refused (weekly, for good)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlmodel import select

from narrate_bot.ports import ChatGateway
from narrate_bot.replies import Post
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
# What the forgotten reader's DM says once edited (``narration_copies.FORGOTTEN``).
FORGOTTEN = "(Removed: you asked me to forget you, so this message shows nothing any more.)"


def _flaky(bot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The platform refuses the next edit (a timeout), then takes them."""
    gateway = next(iter(bot.gateways.values()))
    real = type(gateway).update
    failing = {"left": 1}

    async def flaky(self: ChatGateway, tenant, message_id, post) -> None:  # type: ignore[no-untyped-def]
        if failing["left"]:
            failing["left"] -= 1
            raise TimeoutError("the platform is down")
        await real(self, tenant, message_id, post)

    monkeypatch.setattr(type(gateway), "update", flaky)


async def _kept(bot):  # type: ignore[no-untyped-def]
    from narrate_bot.storage.copy_tables import NarrationCopy

    async with bot.db.snapshot() as session:
        return (await session.exec(select(NarrationCopy))).all()


async def test_a_failed_forget_me_edit_keeps_only_the_dm_to_edit(chat, bot, monkeypatch):
    out = await chat.say(
        "bob: /narrate join",
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    [sent] = await _kept(bot)
    bob = Post.model_validate_json(sent.post).to_users
    _flaky(bot, monkeypatch)

    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out and "still shows their words" in out

    [waiting] = await _kept(bot)
    assert waiting.person_id is None and waiting.reader_user_id is None
    # The DM to edit and what it is to say: nothing else of what was sent to bob.
    assert Post.model_validate_json(waiting.post) == Post(text=FORGOTTEN, to_users=bob)

    # bob back: his export has nothing of the answer the forgotten bob was sent.
    exported = await chat.say("bob: /narrate join", "bob: /narrate export")
    data = json.loads(Path(exported.split("saved to ", 1)[1].strip()).read_text())
    assert data["who_knows_answer_messages"] == [], data

    out = await chat.say(":advance 3m")  # backoff: 2 minutes
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    dm = _said_in(out, "dm bob")
    assert FORGOTTEN in dm and "kafka" not in dm and "@alice" not in dm, dm
    assert await _kept(bot) == []
