"""Slash commands, modals and buttons through the real discord.py client and the real core."""

from __future__ import annotations

from narrate_bot.app import Bot

from .conftest import until
from .fake import BOB, FakeDiscord

EPHEMERAL = 64


async def test_narrate_with_text_is_recorded_and_answered_privately(fake: FakeDiscord, bot: Bot, connect):
    await connect(bot)
    iid = await fake.slash("narrate", text="wiring the kafka consumer for payments")
    await until(lambda: fake.callbacks())
    answer = fake.callbacks()[0]
    assert answer["type"] == 4 and answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["content"].startswith("Noted as #1.")
    assert fake.acked_at[iid] - fake.sent_at[iid] < 3.0
