"""A DM that only asks for help with something ("need help with kafka acls", "I need help with
…") is answered with who knows, like "help me with kafka acls"; it was kept as a private note.
A narration that says where the work stands ("I need help with the migration, stuck on locks
since monday") is still kept, and its confirmation names who could help."""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Narration

CAROL = "carol in #general: /narrate tightened the kafka acls for the ledger topics"
DAVE = "dave in #general: /narrate ledger migration locks: advisory locks per table"


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


@pytest.mark.parametrize(
    "line",
    [
        "alice in dm: need help with kafka acls",
        "alice in dm: I need help with kafka acls",
        "alice in dm: hey, I need some help with kafka acls, thanks!",
        "alice in #general: @narrate help me with kafka acls",
        "alice in #general: @narrate I need help with kafka acls?",
    ],
)
async def test_a_short_request_for_help_says_who_knows_and_keeps_nothing(chat, db, line):
    await chat.say(CAROL)
    out = await chat.say(line)
    assert "Who knows about “kafka acls”" in out and "@carol" in out, out
    assert "Noted" not in out and "Ask me “who knows about <topic>?”" not in out
    assert await _texts(db) == ["tightened the kafka acls for the ledger topics"]


@pytest.mark.parametrize("where", ["dm", "#general"])
async def test_a_narration_about_being_stuck_is_kept_and_offers_people(chat, db, where):
    await chat.say(DAVE)
    said = "I need help with the ledger migration, stuck on locks since monday"
    prefix = "" if where == "dm" else "/narrate "
    out = await chat.say(f"alice in {where}: {prefix}{said}")
    assert "Noted" in out and "@dave" in out, out
    assert "Who knows about" not in out
    assert said in await _texts(db)
