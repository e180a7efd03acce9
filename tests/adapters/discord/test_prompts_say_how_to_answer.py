"""A prompt invites replies in its thread only when Discord gives them to the bot.

Without the Message Content intent (the default) a thread reply never reaches us: a prompt that
said "Reply in this thread and I'll keep it" lost every such reply without a word. It now
points to its button. A personal reminder by DM never said the truth on Discord: the bot hears
no DMs at all.
"""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.app import Bot
from narrate_bot.config import Settings

from .conftest import FAST
from .fake import GENERAL, FakeDiscord


async def _daily_prompt(fake: FakeDiscord, bot: Bot, clock) -> str:
    data = {"id": "6000", "name": "narrate-schedules", "type": 1, "options": [
        {"name": "add", "type": 1, "options": [
            {"name": "channel", "type": 3, "value": f"<#{GENERAL}>"},
            {"name": "when", "type": 3, "value": "daily 09:30 UTC"},
        ]},
    ]}  # fmt: skip
    await fake.answer(await fake.interaction(2, data, admin=True))
    await bot.run_due(clock.now() + timedelta(days=1))
    [prompt] = [p for p in fake.posted(f"/channels/{GENERAL}/messages") if "work out loud" in
                (p.body.get("content") or "")]  # fmt: skip
    return str(prompt.body["content"])


async def test_by_default_a_prompt_points_to_its_button_not_to_thread_replies(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    text = await _daily_prompt(fake, bot, clock)
    assert "Reply in this thread and I'll keep it" not in text
    assert "Write my update" in text and "/narrate text: <text>" in text


async def test_with_message_content_a_prompt_invites_thread_replies(fake, bot: Bot, clock, connect):
    await connect(bot, Settings(discord=FAST.model_copy(update={"message_content": True})))
    text = await _daily_prompt(fake, bot, clock)
    assert "Reply in this thread and I'll keep it as your narration" in text
