"""A Discord group introduction whose pointers wait out a server that stays unavailable:

* a member Discord refuses for good (an unknown user, 404) isn't tried again with them: the
  retries are for whose pointer waits only, and the refused one is marked never reached;
* when every member's DMs are closed and the server stays unavailable through every retry,
  the send ends failed with each of them marked never reached, as a send that reached nobody
  for a reason that lasts is (``NobodyReached``), not with nobody marked.

Through the real client against the fake, the rounds through the real scheduler."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import BOB, CAROL, GENERAL, FakeDiscord
from .test_intro_unreachable_member_not_counted import _never_reached
from .test_intro_unreached_marks_hold import _at, _join, _sends

REFUSED = {"message": "Cannot send messages to this user", "code": 50007}
UNKNOWN_USER = {"message": "Unknown User", "code": 10013}


def _dm_sends(fake: FakeDiscord, who: dict[str, str]) -> int:
    """How many DMs to ``who`` were tried."""
    return len(fake.posted(f"/channels/8{who['id']}/messages"))


async def _rounds_while_unavailable(
    bot: Bot, clock: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as unavailable:
        unavailable.setattr(client, "get_guild", lambda _id: None)  # never described again
        await tick(bot, clock.now())
        for minute in (0, 1, 3, 7, 15):
            await _at(bot, clock, minute)


async def test_a_member_refused_for_good_isnt_retried_while_a_pointer_waits(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.guild["system_channel_id"] = GENERAL
    client = await connect(bot)
    await _join(fake, BOB, CAROL)
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, REFUSED, times=500)
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 404, UNKNOWN_USER, times=500)

    await _rounds_while_unavailable(bot, clock, client, monkeypatch)

    assert _dm_sends(fake, CAROL) == 1, "carol is refused for good: not tried again"
    assert await _sends(bot) == ["failed"]
    assert await _never_reached(bot) == {BOB["id"]: True, CAROL["id"]: True}


async def test_everyone_closed_while_the_server_stays_unavailable_is_marked_never_reached(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.guild["system_channel_id"] = GENERAL
    client = await connect(bot)
    await _join(fake, BOB, CAROL)
    for who in (BOB, CAROL):
        fake.fail("POST", rf"^/channels/8{who['id']}/messages$", 403, REFUSED, times=500)

    await _rounds_while_unavailable(bot, clock, client, monkeypatch)

    pointers = [str(c.body.get("content")) for c in fake.posted(f"/channels/{GENERAL}/messages")]
    assert not [p for p in pointers if "introduction" in p], "no channel was known to point in"
    assert await _sends(bot) == ["failed"]
    assert await _never_reached(bot) == {BOB["id"]: True, CAROL["id"]: True}
