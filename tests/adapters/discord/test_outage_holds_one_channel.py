"""Discord: a message met by a 5xx is sent again with its nonce without holding back the rest.

Before, the resends (1 s, then 3 s, after discord.py's own retries of a 500) ran inside the
shared post pace, so while Discord failed one channel every other delivery (another channel's
prompt, a digest DM) waited for all of them: about a minute for each failing message. Now each
try takes its turn of the pace and lets it go; only the next message to the failing channel
waits, so nothing lands before the message being tried again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post

from .conftest import Recorder, until
from .fake import ALICE, GENERAL, FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme")
UNAVAILABLE = {"message": "503: Service Unavailable", "code": 0}
FAILING = "3100"
ALICE_DM = f"8{ALICE['id']}"
GUARD = 30.0  # only a hang reaches it: a correct run takes a fraction of a second


@pytest.fixture(autouse=True)
def _resend_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """No waits between the tries: what is held back is shown by the fake holding a request."""
    from narrate_bot_adapters.discord import once

    monkeypatch.setattr(once, "RESEND_AFTER", (0.0, 0.0))


def _tries(fake: FakeDiscord, channel: str) -> list[Any]:
    path = f"/channels/{channel}/messages"
    return [c for c in fake.posted(path) if c.path == path]


async def test_another_channel_is_served_while_one_is_sent_again(
    fake: FakeDiscord, connect: Any
) -> None:
    client = await connect(Recorder())
    let_go = asyncio.Event()
    fake.fail("POST", rf"^/channels/{FAILING}/messages$", 503, UNAVAILABLE)
    fake.hold("POST", rf"^/channels/{FAILING}/messages$", let_go, skip=1)  # its resend
    failing = asyncio.create_task(
        client.gateway.post(TENANT, Post(text="first here", channel_id=FAILING))
    )
    await until(lambda: len(_tries(fake, FAILING)) == 2)  # the resend is on its way
    later_here = asyncio.create_task(
        client.gateway.post(TENANT, Post(text="second here", channel_id=FAILING))
    )
    # Another channel's prompt goes out while the first channel's message is still being sent.
    await asyncio.wait_for(
        client.gateway.post(TENANT, Post(text="elsewhere", channel_id=GENERAL)), GUARD
    )
    assert [m["content"] for m in fake.sent[GENERAL]] == ["elsewhere"]
    assert not failing.done()
    # The failing channel's next message waits for the one being tried again.
    assert len(_tries(fake, FAILING)) == 2
    let_go.set()
    await asyncio.wait_for(asyncio.gather(failing, later_here), GUARD)
    assert [m["content"] for m in fake.sent[FAILING]] == ["first here", "second here"]
    first, resend, second = (c.body["nonce"] for c in _tries(fake, FAILING))
    assert first == resend != second


async def test_a_dm_sent_again_until_it_fails_holds_nobody_else(
    fake: FakeDiscord, connect: Any
) -> None:
    client = await connect(Recorder())
    let_go = asyncio.Event()
    fake.fail("POST", rf"^/channels/{ALICE_DM}/messages$", 503, UNAVAILABLE, times=3)
    fake.hold("POST", rf"^/channels/{ALICE_DM}/messages$", let_go, skip=2)  # its last try
    failing = asyncio.create_task(
        client.gateway.post(TENANT, Post(text="your digest", to_users=(ALICE["id"],)))
    )
    await until(lambda: len(_tries(fake, ALICE_DM)) == 3)
    await asyncio.wait_for(
        client.gateway.post(TENANT, Post(text="elsewhere", channel_id=GENERAL)), GUARD
    )
    assert [m["content"] for m in fake.sent[GENERAL]] == ["elsewhere"]
    assert not failing.done()
    let_go.set()
    with pytest.raises(discord.DiscordServerError):
        await asyncio.wait_for(failing, GUARD)
    assert ALICE_DM not in fake.sent
    assert len({c.body["nonce"] for c in _tries(fake, ALICE_DM)}) == 1
