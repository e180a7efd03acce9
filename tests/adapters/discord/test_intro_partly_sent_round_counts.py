"""In a server with a round every other week, a round whose group DM reached some of its
members counts as a round that happened, also when the send narrowed to the rest then ends
failed (their DMs kept failing): the next week is the off week, as after any delivered round,
and "/narrate-intros skip" names the round after it; its introduction counts as suggested in
the stats. A round whose DMs reached nobody at all still counts as none: the next week runs,
and the stats count nothing suggested. Through the real client against the fake, the rounds
through the real scheduler."""

from __future__ import annotations

import pytest

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, CAROL, OWNER, FakeDiscord
from .test_intro_dms_partly_sent import UNAVAILABLE, _dm_tries
from .test_intro_unreached_marks_hold import _at, _join, _sends


async def _say(fake: FakeDiscord, sub: str, *, by: dict[str, str], **options: str) -> str:
    answer = await fake.answer(await fake.slash("narrate-intros", sub=sub, who=by, **options))
    return str(answer["data"].get("content"))


@pytest.mark.parametrize(
    ("alice_reached", "next_round"),
    [(True, "2026-12-07"), (False, "2026-11-30")],
    ids=["alice got it", "nobody got it"],
)
async def test_a_round_that_reached_someone_before_failing_counts(
    fake, bot: Bot, clock, connect, alice_reached: bool, next_round: str
):
    await connect(bot)
    await _join(fake, ALICE, CAROL)
    assert "every other week" in await _say(fake, "cadence", by=OWNER, rhythm="biweekly")
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=500)
    if not alice_reached:
        fake.fail("POST", rf"^/channels/8{ALICE['id']}/messages$", 503, UNAVAILABLE, times=500)

    await tick(bot, clock.now())  # Monday 23 November 10:00 UTC: the round, queued and tried
    for minute in (0, 1, 3, 7, 15, 31):  # every try the send has
        await _at(bot, clock, minute)
    assert await _sends(bot) == ["failed"]
    if alice_reached:
        assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t], "alice got it"
    fake._failures.clear()

    out = await _say(fake, "skip", by=ALICE)
    assert f"no introduction for you in the next round ({next_round})" in out, out
    stats = await _say(fake, "stats", by=ALICE)
    if alice_reached:
        assert "• 1 suggested" in stats, stats
    else:  # suggested to nobody
        assert stats.startswith("No introductions yet."), stats
