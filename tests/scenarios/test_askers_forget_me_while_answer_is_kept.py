"""A who-knows answer sent to its asker's DM, then their forget-me, then the answer kept
(``Bot.reply_posted`` comes late: the platform was slow, or the forget-me ran on another
replica): it was kept under the forgotten asker's user id after "Done", quoting others in their
DM with nothing left to empty it. Now the keeping sees a forget-me happened since the question
was read: it keeps nothing under the user id, and withdraws the answer from the DM at once.
Found by privacy review."""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.replies import Post
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
WITHDRAWN = "(This answer was withdrawn. Ask me again for an up-to-date one.)"


async def _kept(bot):  # type: ignore[no-untyped-def]
    from narrate_bot.storage.copy_tables import NarrationCopy

    async with bot.db.snapshot() as session:
        return (await session.exec(select(NarrationCopy))).all()


@pytest.mark.parametrize("joined", [True, False], ids=["joined", "never-joined"])
async def test_the_askers_forget_me_before_the_answer_is_kept(bot, chat, monkeypatch, joined):
    real = Bot.reply_posted
    held: list[tuple[object, ...]] = []

    async def later(self: Bot, *args: object) -> None:  # the adapter reports it late
        held.append(args)

    monkeypatch.setattr(Bot, "reply_posted", later)
    out = await chat.say(
        *(["bob: /narrate join"] if joined else []),
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "Done" in out, out

    before = len(chat.out.getvalue())
    [args] = held
    await real(bot, *args)  # type: ignore[arg-type]
    printed = chat.out.getvalue()[before:]
    dm = _said_in(printed, "dm bob")
    assert WITHDRAWN in dm and "hunter2" not in dm and "@alice" not in dm, printed
    # Nothing kept under bob's user id; the edit is through, so nothing at all.
    assert await _kept(bot) == []


async def test_someone_elses_forget_me_leaves_a_joined_askers_answer_followed(
    bot, chat, monkeypatch
):
    """The check is the workspace's mark: carol's forget-me changes it too, and bob, who joined,
    is still kept as the reader (by his person), so alice's delete still reaches his DM."""
    real = Bot.reply_posted
    held: list[tuple[object, ...]] = []

    async def later(self: Bot, *args: object) -> None:
        held.append(args)

    monkeypatch.setattr(Bot, "reply_posted", later)
    await chat.say(
        "bob: /narrate join",
        "carol: /narrate join",
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    await chat.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
    [args] = held
    await real(bot, *args)  # type: ignore[arg-type]
    [kept] = await _kept(bot)
    assert kept.person_id is not None and "hunter2" in Post.model_validate_json(kept.post).text
    out = await chat.say("alice: /narrate delete 1")
    assert "hunter2" not in _said_in(out, "dm bob") and "edited" in out, out
