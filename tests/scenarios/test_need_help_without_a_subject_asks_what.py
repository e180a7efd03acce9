"""A request for help that names nothing ("need help", "need help with", "… with it", "… with
🙏", "help me with") asks what about, and keeps nothing.

A DM "need help with" was kept as an empty narration (and enrolled again someone who had left),
"need help with 🙏" or a mention "@narrate need help with 🙏" got the whole help, and a mention
"@narrate need help" the generic pointer. Now each answers "Help with what?"; a DM's answer
offers "Keep as a narration", as a DM asking who knows does. A real update is still kept.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Narration, Person

ASK = "Help with what? Say e.g. “need help with kafka acls” and I'll tell you who knows."
KEEP = "(button) Keep as a narration: /narrate note "


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


@pytest.mark.parametrize(
    "said",
    [
        "need help with",
        "need help",
        "need help with it",
        "need help with 🙏",
        "I need some help on this?",
        "need help please",
        "help me with",
    ],
)
async def test_a_dm_naming_nothing_asks_what_and_keeps_nothing(chat, db, said):
    out = await chat.say(f"alice in dm: {said}")
    assert ASK in out and f"{KEEP}{said}" in out, out
    assert "Noted" not in out and "/narrate mine" not in out, out  # no narration, no help page
    assert await _texts(db) == []
    command = out.split(KEEP, 1)[1].splitlines()[0]
    out = await chat.say(f"alice in dm: /narrate note {command}")  # what the button sends
    assert "Noted as #1." in out, out
    assert await _texts(db) == [said]


@pytest.mark.parametrize(
    "said", ["@narrate need help", "@narrate need help with 🙏", "@narrate help me with"]
)
async def test_a_mention_naming_nothing_asks_what(chat, db, said):
    out = await chat.say(f"alice in #general: {said}")
    assert ASK in out and "Keep as a narration" not in out, out
    assert "/narrate mine" not in out and "Ask me “who knows" not in out, out
    assert await _texts(db) == []


async def test_a_leaver_asking_for_nothing_stays_out_and_updates_are_kept(chat, db):
    await chat.say("alice in dm: /narrate shipped the ledger export", "alice in dm: /narrate leave")
    out = await chat.say("alice in dm: need help with")
    assert ASK in out and "Welcome back" not in out and "Noted" not in out, out
    async with db.transaction() as s:
        alice = (await s.exec(select(Person).where(Person.user_id == "alice"))).one()
        assert alice.consent == "left"
    assert await _texts(db) == ["shipped the ledger export"]
    said = "need help with the migration - stuck on locks"
    out = await chat.say(f"alice in dm: {said}")
    assert "Noted as #2" in out, out
    assert (await _texts(db))[-1] == said
