"""A questions channel Discord refuses (no access or permission, or deleted) is said so, with
who can fix it, instead of "please try again"."""

from __future__ import annotations

import pytest

from narrate_bot.app import Bot

from .fake import GENERAL, FakeDiscord


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, {"message": "Missing Access", "code": 50001}),
        (403, {"message": "Missing Permissions", "code": 50013}),
        (404, {"message": "Unknown Channel", "code": 10003}),
    ],
)
async def test_a_channel_discord_refuses_is_named_with_who_can_fix_it(
    fake: FakeDiscord, bot: Bot, connect, status, body
):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    fake.fail("POST", f"/channels/{GENERAL}/messages$", status, body, times=5)
    answer = await fake.answer(
        await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol mainframes")
    )
    text = answer["data"]["content"]
    assert "I can't post in #general: I'm not in it." in text
    assert "Someone who manages the server can let me view the channel and send" in text
    assert "An admin can choose another open-questions channel" in text
    assert "try again" not in text
