"""A Discord introduction to people whose DMs are closed points them to it in a channel; when
that pointer can't go for a reason that passes, the introduction is tried again rather than
ended as reaching nobody (everyone marked never reached, the send failed at once):

* Discord failing to say who the person is (a 503 on looking the member up, so whether they
  can view the system channel is unknown), after a restart forgot where they last used the bot;
* the server not described to the bot yet (a reconnect), so none of its channels is known;
* the server still unavailable after a new session (READY lists it, its GUILD_CREATE is due):
  known by its id only, without channels.

Once Discord answers again, both are told, and nobody is left marked never reached. Meanwhile
the people after them whose DMs are open get theirs, once: a pointer that waits holds back
nobody else's DM. Through the real client against the fake, the rounds through the real
scheduler."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.ports import NotPosted, PartlyPosted
from narrate_bot.replies import Post

from .conftest import Recorder, until
from .fake import APP, BOB, BOT, CAROL, GENERAL, GUILD, FakeDiscord
from .test_intro_unreachable_member_not_counted import _never_reached
from .test_intro_unreached_marks_hold import _at, _join, _sends

UNAVAILABLE = {"message": "upstream connect error", "code": 0}
REFUSED = {"message": "Cannot send messages to this user", "code": 50007}


def _pointers(fake: FakeDiscord) -> list[str]:
    """The pointers to an introduction the system channel took."""
    return [
        str(c.body.get("content"))
        for c in fake.posted(f"/channels/{GENERAL}/messages")
        if c.status == 200 and "introduction for you" in str(c.body.get("content"))
    ]


async def _closed_dms(fake: FakeDiscord, bot: Bot, connect: Any) -> Any:
    fake.guild["system_channel_id"] = GENERAL
    client = await connect(bot)
    await _join(fake, BOB, CAROL)
    for who in (BOB, CAROL):
        fake.fail("POST", rf"^/channels/8{who['id']}/messages$", 403, REFUSED, times=500)
    return client


async def test_an_outage_on_looking_people_up_doesnt_end_their_introduction(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any
) -> None:
    client = await _closed_dms(fake, bot, connect)
    client.gateway.last_channel.clear()  # a restart: where they last used the bot is forgotten
    fake.fail("GET", r"^/guilds/\d+/members/\d+$", 503, UNAVAILABLE, times=500)
    member_lookups_fail = fake._failures[-1]

    await tick(bot, clock.now())
    await _at(bot, clock, 0)
    assert _pointers(fake) == []
    member_lookups_fail.times = 0  # Discord answers member look-ups again
    for minute in (1, 3, 7, 15):
        await _at(bot, clock, minute)

    assert len(_pointers(fake)) == 2, "bob and carol are told, once Discord answers again"
    assert await _sends(bot) == ["sent"]
    assert not any((await _never_reached(bot)).values())


async def test_a_server_not_described_yet_doesnt_end_its_introduction(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await _closed_dms(fake, bot, connect)
    with monkeypatch.context() as reconnecting:
        reconnecting.setattr(client, "get_guild", lambda _id: None)  # its GUILD_CREATE is due
        await tick(bot, clock.now())
        await _at(bot, clock, 0)
    assert _pointers(fake) == []
    for minute in (1, 3, 7, 15):
        await _at(bot, clock, minute)

    assert len(_pointers(fake)) == 2, "bob and carol are told, once the server is known"
    assert await _sends(bot) == ["sent"]
    assert not any((await _never_reached(bot)).values())


def _dms(fake: FakeDiscord, who: dict[str, str]) -> int:
    """How many DMs ``who`` was sent."""
    return sum(c.status == 200 for c in fake.posted(f"/channels/8{who['id']}/messages"))


@pytest.mark.parametrize("closed", ["bob", "carol"])
async def test_others_get_their_dm_while_a_pointer_waits_for_the_server(
    fake: FakeDiscord,
    bot: Bot,
    clock: Any,
    connect: Any,
    monkeypatch: pytest.MonkeyPatch,
    closed: str,
) -> None:
    """Whichever of the two is sent to first: the group DM's people go in one order."""
    fake.guild["system_channel_id"] = GENERAL
    client = await connect(bot)
    await _join(fake, BOB, CAROL)
    shut, other = (BOB, CAROL) if closed == "bob" else (CAROL, BOB)
    fake.fail("POST", rf"^/channels/8{shut['id']}/messages$", 403, REFUSED, times=500)
    with monkeypatch.context() as reconnecting:
        reconnecting.setattr(client, "get_guild", lambda _id: None)  # its GUILD_CREATE is due
        await tick(bot, clock.now())
        await _at(bot, clock, 0)
    assert _dms(fake, other) == 1, "whose DMs are open gets theirs while the pointer waits"
    assert _pointers(fake) == []
    for minute in (1, 3, 7, 15):
        await _at(bot, clock, minute)

    (pointer,) = _pointers(fake)  # the closed one is told, once the server is known
    assert pointer.startswith(f"<@{shut['id']}>")
    assert _dms(fake, other) == 1, "the retry goes to the closed one only"
    assert await _sends(bot) == ["sent"]
    assert not any((await _never_reached(bot)).values())


async def test_others_get_their_dm_while_discord_cant_say_who_the_closed_one_is(
    fake: FakeDiscord, connect: Any
) -> None:
    """The post itself, tried again in the same process: the retry skips whoever has it."""
    fake.guild["system_channel_id"] = GENERAL
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, REFUSED, times=500)
    fake.fail("GET", r"^/guilds/\d+/members/\d+$", 503, UNAVAILABLE, times=500)
    member_lookups_fail = fake._failures[-1]
    client = await connect(Recorder([]))
    client.gateway.last_channel.clear()  # a restart: where they last used the bot is forgotten
    tenant = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
    post = Post(
        text="Introduction #4",
        to_users=(BOB["id"], CAROL["id"]),
        pointer="I have an introduction for you (#4).",
    )

    with pytest.raises(PartlyPosted) as partly:
        await client.gateway.post(tenant, post)
    assert partly.value.have == (CAROL["id"],)
    assert partly.value.unreachable == ()
    assert isinstance(partly.value.__cause__, NotPosted), "bob's pointer is tried again"
    assert _dms(fake, CAROL) == 1

    member_lookups_fail.times = 0  # Discord answers member look-ups again
    await client.gateway.post(tenant, post)
    (pointer,) = _pointers(fake)
    assert pointer.startswith(f"<@{BOB['id']}>")
    assert _dms(fake, CAROL) == 1, "carol isn't sent it again"


async def test_a_server_unavailable_after_a_new_session_doesnt_end_its_introduction(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any
) -> None:
    """A connection that couldn't resume identifies again: READY lists the server by its id
    only (unavailable: no channels, no member of its own) until its GUILD_CREATE comes."""
    client = await _closed_dms(fake, bot, connect)
    await fake.dispatch("READY", {
        "v": 10, "user": BOT, "session_id": "s2", "shard": [0, 1],
        "resume_gateway_url": fake.ws_url,
        "guilds": [{"id": GUILD, "unavailable": True}],
        "application": {"id": APP, "flags": 0},
    })  # fmt: skip
    await until(lambda: getattr(client.get_guild(int(GUILD)), "unavailable", False))

    await tick(bot, clock.now())
    await _at(bot, clock, 0)
    assert _pointers(fake) == []
    assert await _sends(bot) == ["pending"]
    await fake.dispatch("GUILD_CREATE", fake.guild)
    await until(lambda: not getattr(client.get_guild(int(GUILD)), "unavailable", True))
    for minute in (1, 3, 7, 15):
        await _at(bot, clock, minute)

    assert len(_pointers(fake)) == 2, "bob and carol are told, once the server is available"
    assert await _sends(bot) == ["sent"]
    assert not any((await _never_reached(bot)).values())
