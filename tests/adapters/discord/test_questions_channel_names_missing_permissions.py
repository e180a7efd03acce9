"""Choosing the open-questions channel on Discord says which permissions the bot lacks there,
as the channel is now.

The warning said "I'm not in #x yet … until someone adds me", but on Discord nobody adds a bot
to a channel: its permissions there (View Channel, Send Messages) are what's missing, so it
names them. And it read the gateway's cache, which lags: a channel whose overwrites changed a
moment ago (a send refused since) was chosen without a word, and one fixed a moment ago was
still warned about. The channel is fetched afresh when an admin chooses it. Driven through the
real client against the fake, whose REST answers with the channel as changed while the gateway
said nothing.
"""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import APP, GENERAL, SECRET, VIEW, FakeDiscord

SEND = 1 << 11


async def _choose(fake: FakeDiscord, channel: str) -> str:
    chosen = {"name": "channel", "type": 3, "value": f"<#{channel}>"}
    data = {
        "id": "6000",
        "name": "narrate-topics",
        "type": 1,
        "options": [{"name": "questions-channel", "type": 1, "options": [chosen]}],
    }
    answer = await fake.answer(await fake.interaction(2, data, admin=True))
    return str(answer["data"]["content"])


def _overwrite_for_the_bot(fake: FakeDiscord, channel_id: str, *, allow: int, deny: int) -> None:
    """Changes the channel as REST reports it; the gateway sends no CHANNEL_UPDATE."""
    [channel] = [c for c in fake.guild["channels"] if c["id"] == channel_id]
    mine = {"id": APP, "type": 1, "allow": str(allow), "deny": str(deny)}
    channel["permission_overwrites"] = [*channel["permission_overwrites"], mine]


async def test_send_messages_taken_away_a_moment_ago_is_named(fake, bot: Bot, connect: Any):
    await connect(bot)
    _overwrite_for_the_bot(fake, GENERAL, allow=0, deny=SEND)

    chosen = await _choose(fake, GENERAL)

    assert "Open questions now go to #general" in chosen, chosen
    assert "I'm missing the Send Messages permission there" in chosen, chosen
    assert "View Channel" not in chosen and "I'm not in" not in chosen, chosen
    assert "Edit Channel → Permissions" in chosen, chosen


async def test_a_channel_opened_to_the_bot_a_moment_ago_is_not_warned_about(
    fake, bot: Bot, connect: Any
):
    await connect(bot)
    _overwrite_for_the_bot(fake, SECRET, allow=VIEW | SEND, deny=0)

    chosen = await _choose(fake, SECRET)

    assert "Open questions now go to #secret" in chosen, chosen
    assert "missing" not in chosen and "I'm not in" not in chosen, chosen
