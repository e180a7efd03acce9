"""Who-knows "This helped" through the real discord.py client: the answer's persistent button
carries its command, and a click counts only when it comes from the asker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.storage.database import Database

from .fake import ALICE, BOB, CAROL

EPHEMERAL = 64


async def _helped_at(db: Database) -> list[Any]:
    async with db.snapshot() as session:
        rows = await session.exec(  # type: ignore[call-overload]
            text("SELECT helped_at FROM who_knows_answer")
        )
        return [r[0] for r in rows.all()]


async def test_the_askers_click_counts_and_no_one_elses(fake, bot: Bot, db: Database, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=BOB, text="kafka consumer lag fixed"))
    answer = (await fake.answer(await fake.slash("whoknows", who=CAROL, topic="kafka")))["data"]
    assert answer["flags"] == EPHEMERAL and "Who knows about “kafka”" in answer["content"]
    [button] = answer["components"][0]["components"]
    assert button["label"] == "This helped" and button["style"] == 2  # secondary
    custom_id = button["custom_id"]
    assert custom_id.startswith("narrate") and ":/narrate helped wk" in custom_id

    refused = (await fake.answer(await fake.click(custom_id, who=ALICE)))["data"]
    assert "Only the person who asked can say this answer helped them" in refused["content"]
    assert refused["flags"] == EPHEMERAL
    assert await _helped_at(db) == [None]

    thanked = (await fake.answer(await fake.click(custom_id, who=CAROL)))["data"]
    assert "Thanks: counted once" in thanked["content"]
    again = (await fake.answer(await fake.click(custom_id, who=CAROL)))["data"]
    assert "Already counted" in again["content"]
    [helped_at] = await _helped_at(db)
    assert helped_at is not None
