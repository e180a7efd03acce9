"""``/narrate-schedules add``: the ``when`` field holds days, a time and a zone, read as
``/narrate schedule`` text reads them; a word left over is explained, never made the question.

The row joined its fields into one line, so ``when: weekdays 9:30 Europe/Paris daily`` with the
question "What shipped?" scheduled a prompt asking 'daily "What shipped?"', and ``when: weekdays
9:30 cet daily`` one at 9:30 in the server's zone asking "cet daily": the question field was
quoted, but the words after the zone were still read the old way, as the question's start.
Driven through the real client against the fake.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.schedule_tables import Schedule

from .fake import GENERAL, FakeDiscord


def _add(**options: Any) -> dict[str, Any]:
    typed = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    return {"id": "6000", "name": "narrate-schedules", "type": 1,
            "options": [{"name": "add", "type": 1, "options": typed}]}  # fmt: skip


async def _added(fake: FakeDiscord, **options: Any) -> str:
    answer = await fake.answer(await fake.interaction(2, _add(**options), admin=True))
    return str(answer["data"].get("content"))


async def _rows(bot: Bot) -> list[Schedule]:
    async with bot.db.transaction() as session:
        return list((await session.exec(select(Schedule).order_by(Schedule.id))).all())


async def test_a_word_after_the_zone_in_when_is_explained_and_nothing_is_scheduled(
    fake, bot: Bot, connect
):
    await connect(bot)
    out = await _added(
        fake,
        channel=f"<#{GENERAL}>",
        when="weekdays 9:30 Europe/Paris daily",
        question="What shipped?",
    )
    assert "“daily” is left over" in out and "a field of its own" in out, out
    out = await _added(fake, channel=f"<#{GENERAL}>", when="weekdays 9:30 cet daily")
    assert "“daily” is left over" in out, out
    out = await _added(fake, channel=f"<#{GENERAL}>", when="weekdays 9:30 daily")
    assert "'daily' isn't a time zone I know" in out, out
    assert await _rows(bot) == []


async def test_days_time_and_zone_in_when_schedule_as_before(fake, bot: Bot, connect):
    await connect(bot)
    out = await _added(fake, channel=f"<#{GENERAL}>", when="weekdays 9:30 Europe/Paris")
    assert "weekdays at 09:30 (Europe/Paris)" in out, out
    out = await _added(
        fake, channel=f"<#{GENERAL}>", when="mon 10:00 cet", question="What shipped?"
    )
    assert "It asks: “What shipped?”" in out, out
    rows = await _rows(bot)
    assert [(r.timezone, r.question) for r in rows] == [
        ("Europe/Paris", None),
        ("CET", "What shipped?"),
    ]
