"""``/narrate-schedules add`` keeps the zone typed in ``when`` when a question follows.

The row joined its fields into one line, ``schedule #general weekdays 16:30 cet what
shipped?``, where a zone without an area before a lower-case word reads as the question's first
word: the prompt ran at 16:30 in the server's zone and asked "cet what shipped?". The question is
now sent in quotes, so the core knows where it starts (``/narrate schedule … cet "what
shipped?"`` on Slack does the same). Driven through the real client against the fake.
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


async def test_a_zone_in_when_stays_the_zone_before_a_lower_case_question(fake, bot: Bot, connect):
    await connect(bot)
    out = await _added(
        fake, channel=f"<#{GENERAL}>", when="weekdays 16:30 cet", question="what shipped?"
    )
    assert "weekdays at 16:30 (CET)" in out and "It asks: “what shipped?”" in out, out
    out = await _added(
        fake, channel=f"<#{GENERAL}>", when="mon 09:00", question='"Ship it" – what did you?'
    )
    assert 'It asks: “"Ship it" – what did you?”' in out, out
    async with bot.db.transaction() as session:
        rows = (await session.exec(select(Schedule).order_by(Schedule.id))).all()
    assert [r.question for r in rows] == ["what shipped?", '"Ship it" – what did you?']
    assert rows[0].timezone == "CET"
