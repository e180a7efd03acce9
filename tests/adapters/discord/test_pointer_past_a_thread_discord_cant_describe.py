"""Discord failing to say who is in the private thread someone last used the bot in (a 5xx or
429 on its members) holds back only that thread: the server's system channel, which they can
view, takes the pointer now. Only when no channel takes it is the pointer held for a later try
(``NotPosted``), not ended as reaching nobody. Through the real discord.py client against the
fake, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.ports import NotPosted

from .fake import CAROL, GENERAL, FakeDiscord
from .test_intro_dms_partly_sent import UNAVAILABLE
from .test_last_channel_outlives_a_restart import TENANT
from .test_last_place_private_thread_left import TO_CAROL, _she_used_the_bot_in_the_thread
from .test_private_thread_revocation import THREAD, Thread, thread  # noqa: F401

MISSING_ACCESS = {"message": "Missing Access", "code": 50001}


def _pointers(fake: FakeDiscord, channel: str) -> list[str]:
    return [
        str(c.body.get("content"))
        for c in fake.posted(f"/channels/{channel}/messages")
        if c.status == 200 and "introduction for you" in str(c.body.get("content"))
    ]


async def _thread_members_unknown(fake: FakeDiscord, bot: Bot, connect: Any) -> Any:
    client = await _she_used_the_bot_in_the_thread(fake, bot, connect)
    # The server has a system channel now (#general, which everyone views).
    client.gateway.client.get_guild(int(fake.guild["id"]))._system_channel_id = int(GENERAL)
    fake.fail("GET", rf"^/channels/{THREAD}/thread-members/\d+$", 503, UNAVAILABLE, times=500)
    return client


async def test_the_system_channel_takes_the_pointer_while_the_thread_cant_be_asked(
    fake: FakeDiscord,
    bot: Bot,
    connect: Any,
    thread: Thread,  # noqa: F811
) -> None:
    client = await _thread_members_unknown(fake, bot, connect)

    await client.gateway.post(TENANT, TO_CAROL)

    assert _pointers(fake, GENERAL) == [f"<@{CAROL['id']}> I have an introduction for you (#4)."]
    assert _pointers(fake, THREAD) == []


async def test_the_pointer_is_held_when_the_system_channel_refuses_it_too(
    fake: FakeDiscord,
    bot: Bot,
    connect: Any,
    thread: Thread,  # noqa: F811
) -> None:
    client = await _thread_members_unknown(fake, bot, connect)
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 403, MISSING_ACCESS, times=500)

    with pytest.raises(NotPosted):  # tried again later, not ended as reaching nobody
        await client.gateway.post(TENANT, TO_CAROL)
    assert [c.status for c in fake.posted(f"/channels/{GENERAL}/messages")] == [403], "tried"
    assert _pointers(fake, GENERAL) == [] and _pointers(fake, THREAD) == []
