"""Discord: ``/narrate-schedules updates`` without a state and ``/narrate-intros schedule``
without a time show the current value and how to change it. Both fields were required, and the
core answered the bare command with how to write it, never with where things stand. Driven
through the real client against the fake."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import GENERAL, FakeDiscord


async def _run(fake: FakeDiscord, group: str, sub: str, **options: Any) -> str:
    typed = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    data = {"id": "6000", "name": group, "type": 1,
            "options": [{"name": sub, "type": 1, "options": typed}]}  # fmt: skip
    answer = await fake.answer(await fake.interaction(2, data, admin=True))
    return str(answer["data"].get("content"))


async def test_updates_without_a_state_shows_where_form_updates_go(fake, bot: Bot, connect):
    await connect(bot)
    out = await _run(fake, "narrate-schedules", "updates", channel=f"<#{GENERAL}>")
    assert "posted in that prompt's thread" in out and "(the default)" in out, out
    await _run(fake, "narrate-schedules", "updates", channel=f"<#{GENERAL}>", state="off")
    out = await _run(fake, "narrate-schedules", "updates", channel=f"<#{GENERAL}>")
    assert "aren't posted in its thread" in out, out


async def test_intros_schedule_without_a_time_shows_it(fake, bot: Bot, connect):
    await connect(bot)
    out = await _run(fake, "narrate-intros", "schedule")
    assert "Connection suggestions go out mon at 10:00 (UTC)" in out, out
