"""Text nobody can see is no text: a narration, an edit, a team name or an answer to a prompt
that is only invisible characters is asked for again and nothing stored changes; invisible
controls inside text never reach an answer; a lone surrogate or a NUL is stored harmlessly."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from narrate_bot.events import ChannelRef, CommandInvoked, FormSubmitted, UserRef
from narrate_bot.storage.tables import Narration, Person
from narrate_bot_adapters.console.adapter import TENANT

INVISIBLE = ["\u200b", "\u202e", "\u200b \u2066\u2069", "\x00", "\u3164"]


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


def _command(clock, line: str, user: str = "alice") -> CommandInvoked:
    """Straight to the bot, as a platform's JSON would carry it (lone surrogates included)."""
    return CommandInvoked(
        event_id=f"{user}-{line!r}",
        tenant=TENANT,
        user=UserRef(user_id=user, display_name=user),
        channel=ChannelRef(channel_id="general", name="general"),
        occurred_at=clock.now(),
        command="narrate",
        text=line,
    )


async def test_an_invisible_narration_is_asked_for_again_and_not_stored(chat, bot, clock, db):
    for invisible in INVISIBLE:
        [reply] = await bot.handle(_command(clock, invisible))
        assert "What are you working on?" in reply.text, repr(invisible)
        out = await chat.say(f"alice in dm: {invisible}")
        assert "What are you working on?" in out, repr(invisible)
    assert await _texts(db) == []
    async with db.transaction() as s:
        assert (await s.exec(select(Person))).first() is None  # nobody was enrolled either


async def test_an_invisible_edit_changes_nothing(chat, bot, clock, db):
    await chat.say("alice: /narrate kafka consumer tuning")
    for invisible in INVISIBLE:
        [reply] = await bot.handle(_command(clock, f"edit 1 {invisible}"))
        assert "What should #1 say?" in reply.text and "Updated" not in reply.text
    assert await _texts(db) == ["kafka consumer tuning"]
    assert "(edited)" not in await chat.say("alice: /narrate mine")


async def test_an_invisible_team_name_is_not_set(chat, bot, clock, db):
    await chat.say("alice@payments: /narrate ledger fix")
    [reply] = await bot.handle(_command(clock, "team \u200b"))
    assert reply.text == "Your team is payments. Change it with /narrate team <name>."
    [reply] = await bot.handle(_command(clock, "team \u202epay\u200bments2"))
    assert reply.text == "Your team is now pay\u200bments2."  # the override went; the rest stays


async def test_an_invisible_answer_to_a_prompt_is_not_saved(chat, bot, clock, db):
    await chat.say(
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        "alice: /narrate join",
        ":advance 8h",
    )
    [reply] = await bot.handle(
        FormSubmitted(
            event_id="form-invisible",
            tenant=TENANT,
            user=UserRef(user_id="alice", display_name="alice"),
            channel=ChannelRef(channel_id="team", name="team"),
            occurred_at=clock.now(),
            form="prompt-reply:1",
            fields={"text": "\u200b\u202e"},
        )
    )
    assert "Nothing was written, so nothing was saved." in reply.text
    assert "What are you working on?" in await chat.say("alice in #team thread: \u200b")
    assert await _texts(db) == []


async def test_a_bidi_override_never_turns_an_answer_around(chat, db):
    await chat.say("alice: /narrate kafka \u202elag fixed\u202c on the consumers")
    # One stored before text was cleaned on the way in, straight in the table.
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE narration SET text = :t WHERE ordinal = 1"),
            {"t": "kafka \u202elag fixed on the consumers"},
        )
    out = await chat.say("bob: /narrate who knows about kafka?")
    assert "@alice" in out and "kafka lag fixed on the consumers" in out
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "\u202e" not in await chat.say("alice: /narrate mine")


async def test_a_lone_surrogate_or_a_nul_is_stored_harmlessly(chat, bot, clock, db):
    [reply] = await bot.handle(_command(clock, "kafka \ud800 rollout"))
    assert "Noted as #1." in reply.text
    [reply] = await bot.handle(_command(clock, "ledger\x00 migration"))
    assert "Noted as #2." in reply.text
    [reply] = await bot.handle(_command(clock, "edit 1 kafka \udfff rollout, done"))
    assert "Updated #1." in reply.text
    [reply] = await bot.handle(_command(clock, "ask-me-about kaf\ud800ka"))
    assert "Got it" in reply.text
    assert await _texts(db) == ["kafka \ufffd rollout, done", "ledger migration"]
    out = await chat.say("alice: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert [n["text"] for n in data["narrations"]] == await _texts(db)
