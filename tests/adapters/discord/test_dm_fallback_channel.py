"""Where someone whose DMs are closed is told that a message waits for them.

Slash commands work even in a channel the bot can't post in (a private channel it was never
added to), so "where they last used the bot" may be a channel that refuses the pointer. The
person must still be told (in the system channel, if they can read it), and a refused channel
must not be tried again on every retry: each refusal spends the invalid-request budget.
"""

from __future__ import annotations

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post, Reply

from .conftest import Recorder
from .fake import ALICE, BOB, GENERAL, GUILD, KEEPERS, SECRET, FakeDiscord, pinged, text_channel

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
DMS_CLOSED = {"message": "Cannot send messages to this user", "code": 50007}
MISSING_ACCESS = {"message": "Missing Access", "code": 50001}
RANDOM = "3002"
INTRODUCTION = Post(
    text="Introduction #4: you both narrated about the zanzibar acquisition",
    to_users=(ALICE["id"],),
    pointer="I have an introduction for you (#4).",
)


def _refuse_dms_to(fake: FakeDiscord, who: dict[str, str]) -> None:
    fake.fail("POST", rf"^/channels/8{who['id']}/messages$", 403, DMS_CLOSED, times=99)


async def test_the_pointer_skips_a_channel_the_bot_cant_post_in_for_the_system_channel(
    fake, connect
):
    fake.guild["system_channel_id"] = GENERAL
    _refuse_dms_to(fake, ALICE)
    fake.fail("POST", rf"^/channels/{SECRET}/messages$", 403, MISSING_ACCESS, times=99)
    client = await connect(Recorder([Reply(text="Noted as #1.")]))
    # #secret hides from @everyone, and the bot isn't a keeper: it can't post there.
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text="vault keys"))

    await client.gateway.post(TENANT, INTRODUCTION)

    [pointer] = fake.posted(f"/channels/{GENERAL}/messages")
    assert pointer.body["content"] == f"<@{ALICE['id']}> I have an introduction for you (#4)."
    assert pinged(pointer.body) == {ALICE["id"]}
    assert fake.posted(f"/channels/{SECRET}/messages") == []


async def test_a_channel_that_refuses_the_pointer_gives_way_to_the_system_channel_once(
    fake, connect
):
    """The bot could post in #general when alice used it there; since then it can't (a role
    change the cache hasn't seen). The introduction still reaches her through the system
    channel, and the next pointer doesn't knock on #general again."""
    fake.guild["channels"].append(text_channel(RANDOM, "random"))
    fake.guild["system_channel_id"] = RANDOM
    _refuse_dms_to(fake, ALICE)
    client = await connect(Recorder([Reply(text="Noted as #1.")]))
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=GENERAL, text="vault keys"))
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 403, MISSING_ACCESS, times=99)

    await client.gateway.post(TENANT, INTRODUCTION)  # delivered: no error for a retry
    await client.gateway.post(TENANT, Post(text="Your reminder: kafka?", to_users=(ALICE["id"],)))

    assert len(fake.posted(f"/channels/{GENERAL}/messages")) == 1  # refused once, then left alone
    first, second = fake.posted(f"/channels/{RANDOM}/messages")
    assert first.body["content"] == f"<@{ALICE['id']}> I have an introduction for you (#4)."
    assert second.body["content"].startswith(f"<@{ALICE['id']}> I have a message for you")
    assert "kafka" not in second.body["content"]


async def test_no_pointer_goes_to_a_system_channel_the_person_cant_read(fake, connect):
    """The system channel is #secret, which the bot (a keeper here) can post in and bob can't
    view: a mention there would tell him nothing, and isn't sent."""
    fake.guild["members"][0]["roles"] = [KEEPERS]
    fake.guild["system_channel_id"] = SECRET
    _refuse_dms_to(fake, BOB)
    client = await connect(Recorder())

    with pytest.raises(RuntimeError, match="nobody could be reached"):
        await client.gateway.post(TENANT, Post(text="Your reminder", to_users=(BOB["id"],)))

    assert fake.posted(f"/channels/{SECRET}/messages") == []
