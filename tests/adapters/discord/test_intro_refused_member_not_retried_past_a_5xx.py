"""A member of an introduction's group DM whom Discord refuses for good (404, an unknown user)
is tried once, however the rest of the post fails: when another member's DM raises (a 5xx, as
a 429 or a DM pause would), the retry is for that member only, not again for the refused one,
who is marked never reached. Through the real client against the fake, the rounds through the
real scheduler, on both engines."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, BOB, CAROL, FakeDiscord
from .test_intro_dms_partly_sent import UNAVAILABLE
from .test_intro_refused_and_held import UNKNOWN_USER, _dm_sends
from .test_intro_unreachable_member_not_counted import _never_reached
from .test_intro_unreached_marks_hold import _at, _join


async def test_a_refused_member_isnt_retried_while_another_dm_fails(
    fake: FakeDiscord, bot: Bot, clock: Any, connect: Any
) -> None:
    await connect(bot)
    await _join(fake, ALICE, BOB, CAROL)
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 404, UNKNOWN_USER, times=500)
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=500)

    await tick(bot, clock.now())
    for minute in (0, 1, 3, 7, 15):
        await _at(bot, clock, minute)

    assert _dm_sends(fake, BOB) == 1, "bob is refused for good: not tried again"
    assert (await _never_reached(bot))[BOB["id"]]
