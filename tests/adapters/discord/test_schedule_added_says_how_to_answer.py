"""Adding a prompt says how its updates are kept, as truthfully as the prompt itself does.

Without the Message Content intent (the default) Discord never passes a thread reply to the
bot: "Replies in its thread are kept as narrations" promised what would be lost without a word.
"""

from __future__ import annotations

from narrate_bot.app import Bot
from narrate_bot.config import Settings

from .conftest import FAST
from .fake import SECRET, FakeDiscord


async def _add_prompt(fake: FakeDiscord) -> str:
    data = {"id": "6000", "name": "narrate-schedules", "type": 1, "options": [
        {"name": "add", "type": 1, "options": [
            {"name": "channel", "type": 3, "value": f"<#{SECRET}>"},
            {"name": "when", "type": 3, "value": "weekdays 16:30 Europe/Berlin"},
        ]},
    ]}  # fmt: skip
    answer = await fake.answer(await fake.interaction(2, data, channel=SECRET, admin=True))
    return str(answer["data"]["content"])


async def test_by_default_adding_a_prompt_points_to_its_button_not_to_thread_replies(
    fake, bot: Bot, connect
):
    await connect(bot)

    said = await _add_prompt(fake)

    assert said.startswith("Scheduled #1: a prompt in #secret"), said
    assert "kept as narrations" not in said
    assert "“Write my update” button records updates as narrations" in said
    assert "readable by whoever reads #secret; I don't read replies in its thread." in said


async def test_with_message_content_adding_a_prompt_promises_thread_replies(
    fake, bot: Bot, connect
):
    await connect(bot, Settings(discord=FAST.model_copy(update={"message_content": True})))

    said = await _add_prompt(fake)

    assert "Replies in its thread are kept as narrations, readable by whoever reads #secret" in said
