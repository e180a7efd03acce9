"""A Discord group introduction is one DM per member. When the later members' DMs keep failing
(a Discord outage for them), the send ends failed after its tries; but the members who got
theirs were introduced: the introduction counts as delivered (Thursday's follow-up asks them,
and only them), and no retry, on this process or after a restart, sends it to them again.
Through the real client against the fake, the rounds through the real scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick
from narrate_bot_adapters.discord.gateway import Delivered

from .fake import ALICE, CAROL, FakeDiscord

UNAVAILABLE = {"message": "upstream connect error", "code": 0}
ASKED = "did you get to meet"


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


def _dm_tries(fake: FakeDiscord, who: dict[str, object]) -> list[str]:
    """Every message the bot asked Discord to send ``who`` in a DM, answered or not."""
    return [str(c.body.get("content")) for c in fake.posted(f"/channels/8{who['id']}/messages")]


@pytest.mark.parametrize("restarts", [False, True], ids=["one process", "restarts"])
async def test_an_introduction_some_members_got_is_delivered_and_never_sent_them_again(
    fake, bot: Bot, clock, connect, restarts: bool
):
    client = await connect(bot)
    for who, team in ((ALICE, "payments"), (CAROL, "search")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)
    # alice's DM goes out; carol's fails on every try.
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=50)

    await tick(bot, clock.now())  # the guild's default weekly slot: Monday 10:00 UTC
    for minute in (0, 1, 3, 7, 15):  # the scheduler's tries, 1, 2, 4 minutes apart
        if restarts:  # or another replica tries it: nothing in memory says who has it
            client.gateway.delivered = Delivered()
        when = datetime(2026, 11, 23, 10, minute, tzinfo=UTC)
        clock.set(when)
        await tick(bot, when)

    assert len(_dm_tries(fake, CAROL)) >= 2, "carol's DM was tried, and failed, again"
    [introduction] = _dm_tries(fake, ALICE)
    assert "zanzibar" in introduction, "alice got it once, and was never sent it again"

    thursday = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # the follow-up: Monday + 3 days
    clock.set(thursday)
    await tick(bot, thursday)
    asked = [text for text in _dm_tries(fake, ALICE) if ASKED in text]
    assert asked, "alice got her introduction: she is asked whether she met carol"
    assert not [text for text in _dm_tries(fake, CAROL) if ASKED in text], (
        "carol never got it: she isn't asked about it"
    )
