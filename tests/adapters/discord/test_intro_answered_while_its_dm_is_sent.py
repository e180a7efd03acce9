"""A member who already has an introduction's DM answers it while the same group DM is still on
its way to the others (``delivered_at`` is written only with the send's outcome): the answer is
kept, ``/narrate-intros mine`` asks "how did it go?" meanwhile, and ``/narrate stats`` counts it
once the introduction is delivered. One whose send is over without reaching anyone is still
refused (``test_intro_feedback_needs_delivery``).

Through the real client against the fake (carol's DM held by Discord), the round through the
real scheduler."""

from __future__ import annotations

import asyncio

import pytest

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .conftest import until
from .fake import ALICE, CAROL, FakeDiscord
from .test_intro_dms_partly_sent import _dm_tries
from .test_intro_feedback_needs_delivery import _feedback_rows, _say
from .test_intro_unreached_marks_hold import _at, _join, _sends


@pytest.mark.parametrize("answer", ["met", "not-useful"])
async def test_an_answer_from_a_member_who_has_it_while_the_rest_is_sent_is_kept(
    fake: FakeDiscord, bot: Bot, clock, connect, answer: str
):
    await connect(bot)
    await _join(fake, ALICE, CAROL)
    release = asyncio.Event()
    # carol's DM is slow (Discord slow to answer, or a 429 discord.py sleeps through)
    fake.hold("POST", rf"^/channels/8{CAROL['id']}/messages$", release)
    await tick(bot, clock.now())  # the round, queued
    sending = asyncio.create_task(_at(bot, clock, 0))
    try:
        await until(
            lambda: (
                [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t] and _dm_tries(fake, CAROL)
            ),
            timeout=60,
        )
        mine = await _say(fake, "mine", by=ALICE)
        said = await _say(fake, answer, by=ALICE, number="1")
    finally:
        release.set()
        await sending
    assert "how did it go?" in mine and "hasn't reached you or them" not in mine, mine
    assert "hasn't reached" not in said and ("Glad you met" in said or "noted" in said), said
    assert await _feedback_rows(bot) == 1
    assert await _sends(bot) == ["sent"]

    stats = await _say(fake, "stats", by=ALICE)
    assert not stats.startswith("No introductions yet."), stats
    if answer == "met":
        assert "• 1 happened" in stats, stats
