"""A kept last place that is a private thread is pointed in only while the person is in the
thread: seeing its parent isn't reading it. Nothing tells the bot when someone is taken out of
a thread (those events need the members intent), so Discord is asked before the pointer goes;
a mention there would tell its members what waits for them (and on Discord add the person back
to it). A 5xx on that question is Discord's trouble: the pointer waits for a later try rather
than the post ending as reaching nobody. Through the real discord.py client against the fake,
on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.ports import NotPosted
from narrate_bot_adapters.discord.gateway import NobodyReached

from .fake import APP, CAROL, SECRET, VIEW, FakeDiscord
from .test_intro_dms_partly_sent import UNAVAILABLE
from .test_last_channel_outlives_a_restart import DMS_CLOSED, INTRODUCTION, SEND, TENANT
from .test_private_thread_revocation import THREAD, Thread, thread  # noqa: F401

SEND_IN_THREADS = 1 << 38
TO_CAROL = INTRODUCTION.model_copy(update={"to_users": (CAROL["id"],)})


async def _she_used_the_bot_in_the_thread(fake: FakeDiscord, bot: Bot, connect: Any) -> Any:
    """carol (a keeper, in the thread) uses the bot in hsm-plans, a private thread of #secret
    the bot may post in; her DMs are closed, and the server has no system channel. Then a
    restart: only the database knows where she last used the bot."""
    [secret] = [c for c in fake.guild["channels"] if c["id"] == SECRET]
    secret["permission_overwrites"] = [  # a new list: the fake's PRIVATE is shared
        *secret["permission_overwrites"],
        {"id": APP, "type": 1, "allow": str(VIEW | SEND | SEND_IN_THREADS), "deny": "0"},
    ]
    fake.guild["system_channel_id"] = None
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 403, DMS_CLOSED, times=99)
    first = await connect(bot)
    await fake.answer(await fake.slash("narrate", who=CAROL, channel=THREAD, text="hsm plans"))
    await first.close()
    return await connect(bot)


def _pointed(fake: FakeDiscord) -> list[str]:
    return [
        str(c.body.get("content"))
        for c in fake.posted(f"/channels/{THREAD}/messages")
        if c.status == 200 and "introduction for you" in str(c.body.get("content"))
    ]


async def test_she_is_pointed_in_the_private_thread_while_she_is_in_it(
    fake: FakeDiscord,
    bot: Bot,
    connect: Any,
    thread: Thread,  # noqa: F811
) -> None:
    client = await _she_used_the_bot_in_the_thread(fake, bot, connect)

    await client.gateway.post(TENANT, TO_CAROL)

    assert _pointed(fake) == [f"<@{CAROL['id']}> I have an introduction for you (#4)."]


async def test_a_private_thread_she_was_taken_out_of_gets_no_pointer(
    fake: FakeDiscord,
    bot: Bot,
    connect: Any,
    thread: Thread,  # noqa: F811
) -> None:
    client = await _she_used_the_bot_in_the_thread(fake, bot, connect)
    thread.members.discard(CAROL["id"])  # taken out of the thread: no event says so

    with pytest.raises(NobodyReached):
        await client.gateway.post(TENANT, TO_CAROL)

    assert _pointed(fake) == [], "she is no longer in the private thread"


async def test_discord_failing_to_say_who_is_in_the_thread_holds_the_pointer(
    fake: FakeDiscord,
    bot: Bot,
    connect: Any,
    thread: Thread,  # noqa: F811
) -> None:
    client = await _she_used_the_bot_in_the_thread(fake, bot, connect)
    fake.fail("GET", rf"^/channels/{THREAD}/thread-members/\d+$", 503, UNAVAILABLE, times=500)
    member_lookups_fail = fake._failures[-1]

    with pytest.raises(NotPosted):  # tried again later, not ended as reaching nobody
        await client.gateway.post(TENANT, TO_CAROL)
    assert _pointed(fake) == []

    member_lookups_fail.times = 0  # Discord answers again: she is still in it
    await client.gateway.post(TENANT, TO_CAROL)
    assert _pointed(fake) == [f"<@{CAROL['id']}> I have an introduction for you (#4)."]
