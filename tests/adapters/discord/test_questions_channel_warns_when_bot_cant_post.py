"""Choosing an open-questions channel the bot can't view or post in warns at once.

README: "choosing one it isn't in warns at once". On Discord the bot is "in" a channel when its
roles let it view the channel and send messages there; choosing #secret (hidden from @everyone,
the bot included) was confirmed without a word, and each asker found out instead, when their
question failed to post. Now the admin who chose it is told, with how to fix it.
"""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot
from narrate_bot_adapters.discord.gateway import HOW_TO_GRANT

from .fake import ALICE, GENERAL, SECRET, FakeDiscord


async def _choose(fake: FakeDiscord, channel: str) -> str:
    """An admin's /narrate-topics questions-channel channel: #… (the field is named like
    ``slash``'s own ``channel``, so the options are spelled out)."""
    chosen = {"name": "channel", "type": 3, "value": f"<#{channel}>"}
    data = {
        "id": "6000",
        "name": "narrate-topics",
        "type": 1,
        "options": [{"name": "questions-channel", "type": 1, "options": [chosen]}],
    }
    answer = await fake.answer(await fake.interaction(2, data, who=ALICE, admin=True))
    return str(answer["data"]["content"])


async def test_a_channel_the_bot_cant_post_in_is_warned_about(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)

    chosen = await _choose(fake, SECRET)

    assert "Open questions now go to #secret" in chosen, chosen
    assert "I'm missing the View Channel and Send Messages permissions there" in chosen, chosen
    assert HOW_TO_GRANT in chosen, chosen


async def test_a_channel_the_bot_can_post_in_is_chosen_without_a_warning(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)

    chosen = await _choose(fake, GENERAL)

    assert "Open questions now go to #general" in chosen, chosen
    assert HOW_TO_GRANT not in chosen and "missing" not in chosen, chosen
