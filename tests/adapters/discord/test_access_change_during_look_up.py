"""A stored place Discord refuses to describe (403) is kept as refused, not asked about again
for a day unless the bot's access in its server changes. When the access changes while the
look-up is on its way (a CHANNEL_UPDATE handled before Discord's answer), the refusal answered
for the access before the change: it isn't kept, so the next start asks again, as it would had
the change come a moment later. Through the real discord.py client against the fake gateway.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot_adapters.discord.client import NarrateClient

from .fake import GENERAL, SECRET, FakeDiscord
from .test_bot_back_by_role import _eventually
from .test_unseen_places_looked_up_once import (
    MISSING_ACCESS,
    _first_look_done,
    _gets,
    _stored_with_unlisted,
)


async def test_a_refusal_answered_across_an_access_change_is_asked_again(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _stored_with_unlisted(fake, bot, connect, read=False)  # nobody reads #secret
    fake.fail("GET", rf"^/channels/{SECRET}$", 403, MISSING_ACCESS, times=100)
    answer = asyncio.Event()
    fake.hold("GET", rf"^/channels/{SECRET}$", answer)
    second: NarrateClient = await connect(bot)
    changed = asyncio.Event()
    access_changed = second.access.access_changed

    async def observed(guild: Any) -> None:
        await access_changed(guild)
        changed.set()

    monkeypatch.setattr(second.access, "access_changed", observed)

    async def asked() -> bool:
        return _gets(fake, SECRET) == 1

    await _eventually(asked)  # the first look's question is on its way
    [general] = [c for c in fake.guild["channels"] if c["id"] == GENERAL]
    await fake.dispatch("CHANNEL_UPDATE", general | {"name": "general-chat"})
    await asyncio.wait_for(changed.wait(), 60)  # handled while the look-up waits
    answer.set()  # Discord refuses, for the access the bot had before
    await _first_look_done(fake, 1)
    await second.close()

    await connect(bot)
    await _first_look_done(fake, 2)
    assert _gets(fake, SECRET) == 2, "asked again: the refusal didn't outlive the change"
