"""An open question whose post was deleted on Discord, or whose channel was deleted, is no longer
open, and its asker is told by DM.

Discord's ``MESSAGE_DELETE`` carries only ids (no content, and no privileged intent: the
default intents hear it), through the fake gateway into discord.py. Before, the question stayed
open for ever: digests listed it and ``ask-channel answered`` still found it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.question_tables import OpenQuestion

from .fake import ALICE, BOB, GENERAL, GUILD, SECRET, FakeDiscord, text_channel


async def _said(fake: FakeDiscord, text: str) -> str:
    answer = await fake.answer(await fake.slash("narrate", text=text))
    return str(answer["data"].get("content"))


async def _rows(bot: Bot) -> list[OpenQuestion]:
    async with bot.db.transaction() as session:
        return list((await session.exec(select(OpenQuestion).order_by(OpenQuestion.id))).all())


async def _until_status(bot: Bot, *wanted: str) -> list[OpenQuestion]:
    for _ in range(200):
        rows = await _rows(bot)
        if tuple(r.status for r in rows) == wanted:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"statuses never became {wanted}: {[r.status for r in rows]}")


def _dms(fake: FakeDiscord, who: dict[str, Any]) -> list[str]:
    return [str(c.body.get("content")) for c in fake.posted(f"/channels/8{who['id']}/messages")]


async def test_deleted_posts_and_a_deleted_channel_close_their_questions(
    fake: FakeDiscord, bot: Bot, connect
):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    assert (await _said(fake, f"ask-channel <#{GENERAL}> cobol")).startswith("Posted")
    assert (await _said(fake, f"ask-channel <#{GENERAL}> rexx")).startswith("Posted")
    cobol, rexx = fake.threads

    # A moderator deletes the cobol post (and, in bulk, messages that are nobody's question).
    await fake.dispatch("MESSAGE_DELETE", {"id": cobol, "channel_id": GENERAL, "guild_id": GUILD})
    await fake.dispatch(
        "MESSAGE_DELETE_BULK", {"ids": ["9991", "9992"], "channel_id": GENERAL, "guild_id": GUILD}
    )
    rows = await _until_status(bot, "lost", "open")
    # Its id stays: forget-me still removes the thread titled with her question.
    assert [r.post_message_id for r in rows] == [cobol, rexx]
    for _ in range(100):
        if _dms(fake, ALICE):
            break
        await asyncio.sleep(0.05)
    assert _dms(fake, ALICE) == [
        "My post of your question “cobol” in #general was deleted there, so nobody can answer "
        "it there and I no longer list it as open. If you still need an answer, ask again with "
        "/narrate-topics ask-channel question: <question>:\n> cobol"  # Discord's own words
    ]
    assert "your question “rexx” in #general" in await _said(fake, "ask-channel withdraw")

    assert (await _said(fake, f"ask-channel <#{GENERAL}> pl/i")).startswith("Posted")
    await fake.dispatch("CHANNEL_DELETE", text_channel(GENERAL, "general"))
    rows = await _until_status(bot, "lost", "withdrawn", "lost")
    assert rows[2].post_message_id == ""
    for _ in range(100):
        if len(_dms(fake, ALICE)) == 2:
            break
        await asyncio.sleep(0.05)
    assert _dms(fake, ALICE)[1].startswith(
        "#general was deleted, with my post of your question “pl/i”, so I no longer list it as "
        "open."
    )


async def test_a_deleted_channel_narrations_are_shown_to_nobody(
    fake: FakeDiscord, bot: Bot, connect
):
    """Through the core's ``ChannelDeleted`` (shared with Slack): what was narrated in the
    deleted channel is no longer quoted to others; its author keeps it."""
    await connect(bot)
    await _said(fake, "zanzibar rollout plan drafted")
    assert "zanzibar rollout plan" in await _said_by(fake, BOB, "who zanzibar")
    await fake.dispatch("CHANNEL_DELETE", text_channel(GENERAL, "general"))
    for _ in range(200):
        if "zanzibar rollout plan" not in await _said_by(fake, BOB, "who zanzibar"):
            break
        await asyncio.sleep(0.05)
    assert "zanzibar rollout plan" not in await _said_by(fake, BOB, "who zanzibar")
    assert "zanzibar" not in await _said_by(fake, BOB, "topics")


async def _said_by(fake: FakeDiscord, who: dict[str, Any], text: str) -> str:
    answer = await fake.answer(await fake.slash("narrate", who=who, channel=SECRET, text=text))
    return str(answer["data"].get("content"))
