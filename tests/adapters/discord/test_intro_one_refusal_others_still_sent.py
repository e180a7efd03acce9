"""A Discord group introduction's DMs don't stop at a member Discord refuses for good (404
unknown user: ``CannotPostThere``): carol, after bob and perfectly reachable, still gets hers.
The send is then given up for bob alone (the refusal is ``PartlyPosted``'s cause), who is marked
never reached; alice and carol are asked on Thursday. Through the real client against the fake,
the rounds through the real scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, BOB, CAROL, FakeDiscord
from .test_intro_dms_partly_sent import ASKED, _dm_tries
from .test_intro_unreachable_member_not_counted import _never_reached


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def test_one_member_refused_for_good_does_not_cost_the_others(fake, bot: Bot, clock, connect):
    await connect(bot)
    for who, team in ((ALICE, "payments"), (BOB, "search"), (CAROL, "infra")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)
    gone = {"message": "Unknown User", "code": 10013}
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 404, gone, times=500)

    await tick(bot, clock.now())
    for minute in (0, 1, 3, 7, 15):
        when = datetime(2026, 11, 23, 10, minute, tzinfo=UTC)
        clock.set(when)
        await tick(bot, when)
    assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t], "alice got it"
    assert [t for t in _dm_tries(fake, CAROL) if "zanzibar" in t], (
        "carol, reachable, must get her introduction although bob's account is gone"
    )
    assert len([t for t in _dm_tries(fake, BOB) if "zanzibar" in t]) == 1, "refused once: given up"
    assert await _never_reached(bot) == {ALICE["id"]: False, BOB["id"]: True, CAROL["id"]: False}

    thursday = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    clock.set(thursday)
    await tick(bot, thursday)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t]
    assert [t for t in _dm_tries(fake, CAROL) if ASKED in t]
