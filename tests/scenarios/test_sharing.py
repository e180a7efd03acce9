"""Share and unshare: sharing widens a narration to the workspace on purpose; unsharing only
takes that back, and never lets an "Only me" note reach its channel."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from narrate_bot.events import ChannelRef, FormSubmitted, UserRef
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.console.adapter import TENANT

NOBODY = "couldn't find anyone"


async def _only_me_form(bot, clock, text: str, audience: str = "only_me") -> str:
    """alice fills the narration form in #general and picks "Only me" (Slack's modal)."""
    [reply] = await bot.handle(
        FormSubmitted(
            event_id=f"form-{text}",
            tenant=TENANT,
            user=UserRef(user_id="alice", display_name="alice"),
            channel=ChannelRef(channel_id="general", name="general"),
            occurred_at=clock.now(),
            form="narration",
            fields={"text": text, "audience": audience},
        )
    )
    return reply.text


async def _audiences(db) -> list[str]:
    async with db.transaction() as s:
        return [n.audience for n in (await s.exec(select(Narration).order_by(Narration.id)))]


async def test_unsharing_an_only_me_note_leaves_it_only_mine(chat, bot, clock, db):
    await chat.say("alice: /narrate joined the platform team")
    noted = await _only_me_form(bot, clock, "kafka private diary: burnout thoughts")
    assert "Noted as #2." in noted and "Only you can see it" in noted
    assert NOBODY in await chat.say("zoe: /narrate who kafka")

    out = await chat.say("alice: /narrate unshare 2")
    assert "isn't shared with the workspace, so there's nothing to undo" in out
    assert "it stays visible only to you" in out
    assert NOBODY in await chat.say("zoe: /narrate who kafka")
    assert "burnout" not in await chat.say("zoe: /narrate profile @alice")
    assert await _audiences(db) == ["channel", "only_me"]


async def test_share_then_unshare_returns_an_only_me_note_to_only_me(chat, bot, clock, db):
    await chat.say("alice: /narrate joined the platform team")
    await _only_me_form(bot, clock, "kafka private diary: burnout thoughts")
    assert "visible to everyone" in await chat.say("alice: /narrate share 2")
    assert "burnout" in await chat.say("zoe: /narrate who kafka")

    out = await chat.say("alice: /narrate unshare 2")
    assert "#2 is no longer shared: it's visible only to you." in out
    assert "I don't know" not in out  # it was only hers before sharing, and that was kept
    assert NOBODY in await chat.say("zoe: /narrate who kafka")
    assert "burnout" not in await chat.say("zoe: /narrate profile @alice")
    assert "nothing to undo" in await chat.say("alice: /narrate unshare 2")
    assert "burnout" in await chat.say("alice: /narrate mine")  # still hers


async def test_a_dm_narration_shared_and_unshared_is_mine_alone_again(chat, db):
    await chat.say("bob in dm: /narrate preparing a talk on kafka exactly-once")
    await chat.say("bob in dm: /narrate share 1")
    assert "@bob" in await chat.say("alice: /narrate who kafka")
    out = await chat.say("bob in dm: /narrate unshare 1")
    assert "#1 is no longer shared: it's visible only to you." in out
    assert "I chose" not in out  # a DM has no other readers to be unsure about
    assert NOBODY in await chat.say("alice: /narrate who kafka")


async def test_a_channel_narration_shared_and_unshared_goes_back_to_its_channel(chat, db):
    await chat.say(
        ":channel #secret private alice,bob",
        "bob in #secret: /narrate kafka mirror maker for the audit",
        "bob in #secret: /narrate share 1",
    )
    assert "@bob" in await chat.say("zoe: /narrate who kafka")
    out = await chat.say("bob: /narrate unshare 1")
    assert "#1 is no longer shared: it's visible only to members of #secret." in out
    assert NOBODY in await chat.say("zoe: /narrate who kafka")
    assert "@bob" in await chat.say("alice in #secret: /narrate who kafka")
    assert await _audiences(db) == ["channel"]


async def test_unshare_names_no_narration_of_someone_else(chat):
    await chat.say("alice: /narrate kafka lag alerts", "alice: /narrate share 1")
    assert "no narration #1" in await chat.say("bob: /narrate unshare 1")
    assert "@alice" in await chat.say("zoe: /narrate who kafka")


async def test_a_form_narration_for_its_channel_goes_back_to_its_channel(chat, bot, clock, db):
    """Shared by mistake and unshared: #general reads it again, as alice chose in the form."""
    await chat.say("alice: /narrate joined the platform team")
    await _only_me_form(bot, clock, "kafka consumer lag runbook", audience="channel")
    assert "@alice" in await chat.say("zoe: /narrate who kafka")
    await chat.say("alice: /narrate share 2")
    exported = await chat.say("alice: /narrate export")
    data = json.loads(Path(exported.split("saved to ", 1)[1].strip()).read_text())
    assert data["narrations"][1]["audience"] == "tenant"
    assert data["narrations"][1]["audience_before_sharing"] == "channel"

    out = await chat.say("alice: /narrate unshare 2")
    assert "#2 is no longer shared: it's visible where you wrote it, #general." in out
    assert "I don't know" not in out
    assert "@alice" in await chat.say("zoe: /narrate who kafka")
    assert await _audiences(db) == ["channel", "channel"]


async def test_a_narration_shared_before_its_audience_was_kept_still_narrows(chat, bot, clock, db):
    """Rows shared before migration 0016 have no record: unshare keeps the narrowing rule."""
    await chat.say("alice: /narrate joined the platform team")
    await _only_me_form(bot, clock, "kafka consumer lag runbook", audience="channel")
    await chat.say("alice: /narrate share 2")
    async with db.transaction() as s:
        row = (await s.exec(select(Narration).where(Narration.ordinal == 2))).one()
        row.audience_before_sharing = None
        s.add(row)

    out = await chat.say("alice: /narrate unshare 2")
    assert "visible only to you" in out and "I don't know whether it was for #general" in out
    assert await _audiences(db) == ["channel", "only_me"]
