"""Discord's help ends saying how to ask about one command, in Discord's own words (there is no
DM to skip /narrate in), and ``help follow`` there is the follow line, not the note line whose
example is "follow kafka". Driven through the real client against the fake."""

from __future__ import annotations

from narrate_bot.app import Bot

from .test_every_subcommand_has_a_row import _say


async def test_help_on_discord_names_help_on_one_command(fake, bot: Bot, connect):
    await connect(bot)
    everything = await _say(fake, "narrate-settings", "help")
    assert everything.rstrip().endswith("/narrate-settings help <command> shows one."), everything
    assert "In a DM" not in everything
    typed = await fake.answer(await fake.slash("narrate", text="help follow"))
    said = str(typed["data"].get("content"))
    assert "follow" in said and "note <text>" not in said, said
