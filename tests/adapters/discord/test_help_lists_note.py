"""Discord's help names ``note``, the way to keep words that start like a command.

The bot's answer to a mistyped command says "or send /narrate note follow kafka", and the core's
help lists ``/narrate note <text>``, but Discord's help (built from its own command table)
didn't mention it: someone who dismissed the "Keep as a narration" button had no way to find
it again. Driven through the real client against the fake.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Narration

from .test_every_subcommand_has_a_row import _say

NOTE_LINE = "/narrate text: note <text>: keep it as written, even when it starts like a command"


async def test_help_names_note_and_note_keeps_the_words(fake, bot: Bot, connect):
    await connect(bot)
    everything = await _say(fake, "narrate-settings", "help")
    assert NOTE_LINE in everything, everything
    typed = await fake.answer(await fake.slash("narrate", text="help"))
    assert NOTE_LINE in str(typed["data"].get("content"))
    kept = await fake.answer(await fake.slash("narrate", text="note follow kafka"))
    assert "Noted as #1." in str(kept["data"].get("content"))
    async with bot.db.transaction() as session:
        assert [n.text for n in (await session.exec(select(Narration))).all()] == ["follow kafka"]
