"""An introduction's post in the introductions channel stops naming whoever asked to be
forgotten, through the console: edited to "someone who has since left" (as the others' own views
of it say), without its reason, and deleted once nobody in it is left. A failed edit is tried
again by the scheduler until it goes through; leaving introductions changes nothing."""

from __future__ import annotations

import re

from sqlalchemy import text

from narrate_bot.events import Platform

ROUND = (
    ":admin ann",
    ":channel #intros public",
    "ann: /narrate intros channel #intros",
    "ann: /narrate intros delivery channel",
    "alice@payments: /narrate intros join",
    "carol@search: /narrate intros join",
    "alice: /narrate kafka consumer lag",
    "carol: /narrate kafka consumer lag",
    ":advance 2h",  # Monday 10:00: the round is posted in #intros
)
FORGET_ALICE = ("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
EDITED = "[#intros] Introduction #1: @carol (search), meet someone who has since left."


async def _posted(chat) -> str:
    """The round, posted; the id the console gave its post in #intros."""
    out = await chat.say(*ROUND)
    assert "[#intros] Introduction #1: @alice (payments), meet @carol (search)." in out
    after = out.split("[#intros] Introduction #1", 1)[1]
    found = re.search(r"\[console\] posted as (m\d+)", after)
    assert found is not None
    return found.group(1)


async def _due(db) -> list[tuple[object, ...]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT retract_at, attempts FROM intro_post"))
        return [tuple(row) for row in rows.all()]


async def test_forget_me_edits_the_introductions_channel_post(chat, db):
    posted = await _posted(chat)
    out = await chat.say(*FORGET_ALICE)
    assert "Done: I erased everything about you" in out
    assert "introductions channel" not in out  # nothing to tell: it went through
    assert EDITED in out
    assert f"[console] edited {posted} in #intros" in out
    edited = out.split(EDITED, 1)[1].split("[console] edited", 1)[0]
    assert "kafka" not in edited and "alice" not in edited and "payments" not in edited
    # carol's own view says the same.
    assert "someone who has since left" in await chat.say("carol: /narrate intros mine")
    assert await _due(db) == [(None, 0)]
    assert "edited" not in await chat.say(":advance 1h")  # done once


async def test_leaving_introductions_leaves_the_post_as_it_was(chat, db):
    await _posted(chat)
    out = await chat.say("alice: /narrate intros leave", "alice: /narrate leave", ":advance 1h")
    assert "edited" not in out and "removed" not in out
    assert await _due(db) == [(None, 0)]


async def test_a_failed_edit_is_tried_again_until_it_goes_through(chat, db, monkeypatch):
    posted = await _posted(chat)
    gateway = chat.adapter.bot.gateways[Platform.CONSOLE]
    edit = gateway.update
    failures = 0

    async def failing(*args, **kwargs):
        nonlocal failures
        if failures < 2:
            failures += 1
            raise RuntimeError("platform down")
        await edit(*args, **kwargs)

    monkeypatch.setattr(gateway, "update", failing)
    out = await chat.say(*FORGET_ALICE)
    assert "Done: I erased everything about you" in out
    assert "I couldn't edit an introduction's post in the introductions channel yet" in out
    assert "edited" not in out
    assert "edited" not in await chat.say(":advance 1m")  # waits 2 minutes
    out = await chat.say(":advance 1m")  # the second try fails too: 4 minutes
    assert failures == 2 and "edited" not in out
    assert "edited" not in await chat.say(":advance 3m")
    out = await chat.say(":advance 1m")
    assert f"[console] edited {posted} in #intros" in out and EDITED in out
    assert await _due(db) == [(None, 0)]


async def test_the_post_goes_once_nobody_in_it_is_left(chat, db):
    posted = await _posted(chat)
    await chat.say(*FORGET_ALICE)
    out = await chat.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
    assert f"[console] removed {posted} from #intros" in out
    assert await _due(db) == []


async def test_a_failed_delivery_mark_still_leaves_the_post_for_forget_me_to_edit(
    chat, db, monkeypatch
):
    # Recording the send is two writes: where the post is (what forget-me edits it by) and
    # that the introduction went out. The second failing must not lose the first.
    from narrate_bot.storage import intro_repo

    async def failing(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intro_repo, "mark_delivered", failing)
    posted = await _posted(chat)
    out = await chat.say(*FORGET_ALICE)
    assert EDITED in out
    assert f"[console] edited {posted} in #intros" in out
