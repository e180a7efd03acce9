"""Replying to the bot's prompt with Discord's Reply (which pings the bot by default) is an
update for that prompt, like a plain message in its thread, not a question to the bot.

Discord lists the replied-to author in the message's mentions when the Reply pings them, so a
Reply looks like a mention to anything that reads ``mentions``; only the text says whether the
person addressed the bot.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.config import Settings

from .conftest import FAST, until
from .fake import BOB, BOT, GENERAL, GUILD, FakeDiscord, member

UPDATE = "fixed the kafka lag alert"


async def _prompt_thread(fake: FakeDiscord, bot: Bot, clock: Any) -> str:
    """A daily prompt in #general, posted by the scheduler; its thread's id."""
    data = {"id": "6000", "name": "narrate-schedules", "type": 1, "options": [
        {"name": "add", "type": 1, "options": [
            {"name": "channel", "type": 3, "value": f"<#{GENERAL}>"},
            {"name": "when", "type": 3, "value": "daily 09:30 UTC"},
        ]},
    ]}  # fmt: skip
    await fake.answer(await fake.interaction(2, data, admin=True))
    await bot.run_due(clock.now() + timedelta(days=1))
    [opened] = fake.posted("/threads")
    thread_id = opened.path.split("/")[4]
    thread = fake.thread(GENERAL, thread_id, "What are you working on?")
    await fake.dispatch("THREAD_CREATE", thread | {"newly_created": True})
    return thread_id


async def _reply_to_the_prompt(fake: FakeDiscord, thread_id: str, text: str) -> None:
    """bob uses Reply on the prompt in its thread, ping left on: Discord lists the bot among
    the mentions and references the prompt, while the text mentions nobody."""
    message = fake.message(thread_id, {"content": text}, author=BOB)
    message |= {
        "guild_id": GUILD,
        "member": {k: v for k, v in member(BOB).items() if k != "user"},
        "mentions": [BOT],
        "message_reference": {"message_id": thread_id, "channel_id": thread_id, "guild_id": GUILD},
        "referenced_message": fake.message(thread_id, {"content": "What are you working on?"}),
    }
    await fake.dispatch("MESSAGE_CREATE", message)


async def test_a_reply_with_ping_in_a_prompt_thread_is_kept_as_an_update(
    fake, bot: Bot, clock, connect
):
    await connect(bot, Settings(discord=FAST.model_copy(update={"message_content": True})))
    thread_id = await _prompt_thread(fake, bot, clock)
    await fake.answer(await fake.slash("narrate-settings", sub="join", who=BOB))

    await _reply_to_the_prompt(fake, thread_id, UPDATE)

    to_bob = f"/channels/8{BOB['id']}/messages"
    await until(lambda: fake.posted(to_bob))
    [dm] = fake.posted(to_bob)
    assert dm.body["content"].startswith("Noted as #1.")  # not "Ask me 'who knows about…'"
    mine = await fake.answer(await fake.slash("narrate-privacy", sub="mine", who=BOB))
    assert UPDATE in mine["data"]["content"]
