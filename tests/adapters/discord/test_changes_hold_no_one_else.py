"""Discord: an edit, a delete or a thread being opened that Discord is slow to answer (a 5xx
discord.py tries again itself, about 25 s a try) holds no other delivery back.

Before, each ran inside the shared post pace, so while one of them waited every other channel's
prompt, digest or answer waited too, as a resent message did until ``send_once`` took only its
turn of the pace. Now each takes its turn and lets it go; what waits is only a later change of
the same message, so an older edit never lands after a newer one. Through the real discord.py
client against the fake REST API, which holds the slow request until the test lets it go.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post
from narrate_bot_adapters.discord.client import NarrateClient

from .conftest import Recorder, until
from .fake import GENERAL, FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme")
ELSEWHERE = "3100"
MESSAGE, THREAD = "7777", "5000"
GUARD = 30.0  # only a hang reaches it: a correct run takes a fraction of a second


def _edit(client: NarrateClient, text: str) -> Awaitable[None]:
    return client.gateway.update(TENANT, MESSAGE, Post(text=text, channel_id=GENERAL))


def _delete(client: NarrateClient) -> Awaitable[None]:
    return client.gateway.delete(TENANT, GENERAL, MESSAGE, thread_of=THREAD)


async def _prompt(client: NarrateClient) -> None:
    await client.gateway.post(TENANT, Post(text="Time to work out loud", channel_id=GENERAL))


SLOW: dict[str, tuple[str, str, Callable[[NarrateClient], Awaitable[Any]]]] = {
    "an edit": ("PATCH", rf"^/channels/{GENERAL}/messages/{MESSAGE}$", lambda c: _edit(c, "new")),
    "a delete": ("DELETE", rf"^/channels/{THREAD}/messages/{MESSAGE}$", _delete),
    "a thread opened": ("POST", rf"^/channels/{GENERAL}/messages/\d+/threads$", _prompt),
}


@pytest.mark.parametrize("slow", sorted(SLOW))
async def test_another_channel_is_served_while_a_change_waits(
    fake: FakeDiscord, connect: Any, slow: str
) -> None:
    client = await connect(Recorder())
    method, path, start = SLOW[slow]
    let_go = asyncio.Event()
    fake.hold(method, path, let_go)
    waiting = asyncio.create_task(start(client))
    await until(lambda: any(c.method == method and re.search(path, c.path) for c in fake.calls))
    await asyncio.wait_for(
        client.gateway.post(TENANT, Post(text="elsewhere", channel_id=ELSEWHERE)), GUARD
    )
    assert [m["content"] for m in fake.sent[ELSEWHERE]] == ["elsewhere"]
    assert not waiting.done()
    let_go.set()
    await asyncio.wait_for(waiting, GUARD)


async def test_a_later_edit_of_the_same_message_lands_after_the_slow_one(
    fake: FakeDiscord, connect: Any
) -> None:
    client = await connect(Recorder())
    let_go = asyncio.Event()
    fake.hold("PATCH", rf"^/channels/{GENERAL}/messages/{MESSAGE}$", let_go)
    older = asyncio.create_task(_edit(client, "older"))
    await until(lambda: len(fake.posted(f"/messages/{MESSAGE}", "PATCH")) == 1)
    newer = asyncio.create_task(_edit(client, "newer"))
    await asyncio.wait_for(
        client.gateway.post(TENANT, Post(text="elsewhere", channel_id=ELSEWHERE)), GUARD
    )
    assert len(fake.posted(f"/messages/{MESSAGE}", "PATCH")) == 1  # the newer edit waits
    let_go.set()
    await asyncio.wait_for(asyncio.gather(older, newer), GUARD)
    edits = fake.posted(f"/messages/{MESSAGE}", "PATCH")
    assert [c.body["content"] for c in edits] == ["older", "newer"]
