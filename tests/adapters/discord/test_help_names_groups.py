"""Help on one command finds Discord's group named after it.

The bot itself says "If you meant a schedule command: /narrate-settings help command: schedule",
but that help showed only the ``/narrate-intros … schedule`` line: "schedule" didn't match
inside ``/narrate-schedules``, and ``help command: remind`` found nothing in ``remind-me``.
Driven through the real client against the fake.
"""

from __future__ import annotations

from narrate_bot.app import Bot

from .test_every_subcommand_has_a_row import _say

SCHEDULES = "/narrate-schedules add <channel> <when>"


async def test_help_on_schedule_names_the_schedules_group(fake, bot: Bot, connect):
    await connect(bot)
    out = await _say(fake, "narrate-settings", "help", command="schedule")
    assert SCHEDULES in out and "/narrate-intros" in out, out
    assert "lists everything." in out and "/narrate-privacy" not in out
    answer = await fake.answer(await fake.slash("narrate", text="help schedule"))
    typed = str(answer["data"].get("content"))
    assert SCHEDULES in typed and "Noted" not in typed, typed


async def test_help_on_remind_and_unskip_finds_their_lines(fake, bot: Bot, connect):
    await connect(bot)
    for topic in ("remind", "unskip", "remind-me"):
        out = await _say(fake, "narrate-settings", "help", command=topic)
        assert SCHEDULES in out and "/narrate-intros" not in out, (topic, out)
    unknown = await _say(fake, "narrate-settings", "help", command="frobnicate")
    assert "I have no help on “frobnicate”" in unknown and "/narrate-privacy" in unknown
