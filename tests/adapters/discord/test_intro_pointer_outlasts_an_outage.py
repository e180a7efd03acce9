"""A Discord introduction to people whose DMs are closed points them to it in a channel; when
that pointer can't go for a reason that passes, the introduction is tried again rather than
ended as reaching nobody (everyone marked never reached, the send failed at once):

* Discord failing to say who the person is (a 503 on looking the member up, so whether they
  can view the system channel is unknown), after a restart forgot where they last used the bot;
* the server not described to the bot yet (a reconnect), so none of its channels is known.

Once Discord answers again, both are told, and nobody is left marked never reached. Through
the real client against the fake, the rounds through the real scheduler."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import BOB, CAROL, GENERAL, FakeDiscord
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
