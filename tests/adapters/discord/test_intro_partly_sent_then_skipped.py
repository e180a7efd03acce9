"""A Discord group introduction some members got, whose send for the rest then ends *skipped*
rather than failed (the bot was down past the scheduler's 120-minute grace, so the retry is "too
late"), keeps the members it never reached: they are marked when the send is narrowed to them,
not only when it is given up. Thursday's follow-up doesn't ask carol whether she met alice,
since she never got the introduction. And a retry that does reach carol clears her mark: she is
asked like alice. Through the real client against the fake, the rounds through the real
scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, CAROL, FakeDiscord
from .test_intro_dms_partly_sent import ASKED, UNAVAILABLE, _dm_tries

THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # the follow-up: Monday + 3 days


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def _pair(fake: FakeDiscord) -> None:
    for who, team in ((ALICE, "payments"), (CAROL, "search")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)


def _got(fake: FakeDiscord, who: dict[str, object]) -> list[str]:
    """The DMs Discord took for ``who``."""
    calls = fake.posted(f"/channels/8{who['id']}/messages")
    return [str(c.body.get("content")) for c in calls if c.status == 200]


async def _tick(bot: Bot, clock, when: datetime) -> None:
    clock.set(when)
    await tick(bot, when)


async def test_a_partly_sent_introduction_skipped_later_keeps_who_it_never_reached(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    await _pair(fake)
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=50)

    await tick(bot, clock.now())  # Monday 10:00 UTC: the round, queued and tried
    for minute in (0, 1):  # its first retries: alice gets hers, carol's keep failing
        await _tick(bot, clock, datetime(2026, 11, 23, 10, minute, tzinfo=UTC))
    assert [t for t in _dm_tries(fake, ALICE) if "zanzibar" in t]
    # The bot is down for three hours (a failed deploy); its next tick finds the retry past
    # the grace (120 minutes) and skips it: carol never gets the introduction.
    await _tick(bot, clock, datetime(2026, 11, 23, 13, 30, tzinfo=UTC))
    assert not _got(fake, CAROL)
    fake._failures.clear()  # carol's DMs work again

    await _tick(bot, clock, THURSDAY)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t], "alice got it: she is asked"
    assert not [t for t in _dm_tries(fake, CAROL) if ASKED in t], (
        "carol never got it: she mustn't be asked whether she met alice"
    )


async def test_a_retry_that_reaches_the_rest_clears_them(fake, bot: Bot, clock, connect):
    await connect(bot)
    await _pair(fake)
    fake.fail("POST", rf"^/channels/8{CAROL['id']}/messages$", 503, UNAVAILABLE, times=50)

    await tick(bot, clock.now())
    for minute in (0, 1):  # alice gets hers; carol's fail: the send is narrowed to her
        await _tick(bot, clock, datetime(2026, 11, 23, 10, minute, tzinfo=UTC))
    assert not _got(fake, CAROL)
    fake._failures.clear()  # Discord is well again: her retry goes through
    for minute in (3, 7):
        await _tick(bot, clock, datetime(2026, 11, 23, 10, minute, tzinfo=UTC))
    assert [t for t in _got(fake, CAROL) if "zanzibar" in t], "carol got it on a retry"

    await _tick(bot, clock, THURSDAY)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t], "alice is asked"
    assert [t for t in _dm_tries(fake, CAROL) if ASKED in t], "carol got it later: asked too"
