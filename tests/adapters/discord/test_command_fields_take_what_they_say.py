"""Discord's command fields take what their descriptions and help say.

``/narrate-schedules add``'s question field says "Empty: the default question", and the
``question`` subcommand takes "default" for it; in ``add``, "default" became the literal
question ("It asks: “default”"). It now means the default question there too. And
``/narrate-settings pause``'s duration field refused a bare day ("2026-12-28", "28 dec",
"friday") though the core pauses ``until <date>``: a day there is now a pause to that day, and
Discord's help names it (``pause <duration or until <date>>``).
"""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot

from .fake import ALICE, GENERAL, FakeDiscord


def _sub(group: str, name: str, **options: Any) -> dict[str, Any]:
    fields = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    return {
        "id": "6000",
        "name": group,
        "type": 1,
        "options": [{"name": name, "type": 1, "options": fields}],
    }


async def _said(fake: FakeDiscord, data: dict[str, Any], admin: bool = False) -> str:
    answer = await fake.answer(await fake.interaction(2, data, who=ALICE, admin=admin))
    return str(answer["data"]["content"])


@pytest.mark.parametrize("word", ["default", "Default"])
async def test_default_in_a_new_prompts_question_is_the_default_question(
    fake: FakeDiscord, bot: Bot, connect: Any, word: str
) -> None:
    await connect(bot)
    when = "weekdays 09:30 UTC"
    added = await _said(
        fake,
        _sub("narrate-schedules", "add", channel=f"<#{GENERAL}>", when=when, question=word),
        admin=True,
    )
    assert added.startswith("Scheduled #1: a prompt in #general"), added
    assert "“default”" not in added.lower(), added

    shown = await _said(fake, _sub("narrate-schedules", "question", id="1"), admin=True)
    assert "asks the default question" in shown, shown


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("2026-12-28", "2026-12-28"),
        ("28 dec", "2026-12-28"),
        ("friday", "2026-11-27"),  # the clock's today is Monday 2026-11-23
        ("until 2026-12-28", "2026-12-28"),
    ],
)
async def test_a_day_in_pauses_duration_field_pauses_until_that_day(
    fake: FakeDiscord, bot: Bot, connect: Any, typed: str, until: str
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, text="kafka consumer lag fixed"))

    paused = await _said(fake, _sub("narrate-settings", "pause", duration=typed))

    assert f"Paused until {until}" in paused, paused


async def test_a_duration_in_pauses_field_is_still_a_duration(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, text="kafka consumer lag fixed"))

    paused = await _said(fake, _sub("narrate-settings", "pause", duration="2w"))

    assert "Paused until 2026-12-07" in paused, paused


async def test_help_names_a_day_in_pauses_field(fake: FakeDiscord, bot: Bot, connect: Any) -> None:
    await connect(bot)

    helped = await _said(fake, _sub("narrate-settings", "help", command="pause"))

    assert "pause <duration or until <date>>" in helped, helped
