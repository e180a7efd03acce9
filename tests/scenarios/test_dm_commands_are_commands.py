"""A plain DM to the bot that reads as a command is that command, never a private note.

Writing to the bot directly narrates (kept for the writer alone), but "forget-me", "pause",
"mine" or "find kafka" sent as a DM were kept as notes: the person asked for their data to be
erased and got "Noted as #1." with the words stored. A DM is now read as ``/narrate`` text is.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


async def test_commands_said_in_a_dm_are_run_not_kept(chat, db):
    out = await chat.say("alice in dm: mine")
    assert "You haven't narrated anything yet" in out and "Noted" not in out
    out = await chat.say("alice in dm: pause")
    assert "Noted" not in out and "/narrate pause" in out
    assert await _texts(db) == []
    await chat.say("alice in #general: /narrate tuned the kafka brokers")
    out = await chat.say("alice in dm: forget-me")
    assert "Noted" not in out and "forget-me confirm" in out
    assert await _texts(db) == ["tuned the kafka brokers"]
    out = await chat.say("alice in dm: mine")
    assert "#1  2026-11-23  #general  tuned the kafka brokers" in out


async def test_a_mistyped_command_in_a_dm_gets_the_keep_offer(chat, db):
    out = await chat.say("alice in dm: find kafka")
    assert "Noted" not in out and "/narrate who <topic>" in out
    assert "(button) Keep as a narration: /narrate note find kafka" in out
    assert await _texts(db) == []
    out = await chat.say("alice in dm: /narrate note find kafka")  # what the button sends
    assert "Noted as #1." in out and "Only you can see it" in out


async def test_work_said_in_a_dm_is_still_a_private_note(chat, db):
    out = await chat.say("alice in dm: drafting the incident review for the outage")
    assert "Noted as #1." in out and "Only you can see it" in out
    out = await chat.say("alice in dm: mine")
    assert "drafting the incident review" in out
    out = await chat.say("alice in dm: search ranking tuned")
    assert "Noted as #2." in out
    rows = await _texts(db)
    assert rows == ["drafting the incident review for the outage", "search ranking tuned"]
    async with db.transaction() as s:
        sources = {n.source for n in (await s.exec(select(Narration))).all()}
    assert sources == {"dm"}
