"""Discord: a scheduled prompt Discord answers 429 for, with a wait longer than discord.py is
told to sit out (``max_ratelimit_timeout``), is tried again no sooner than Discord's
``retry_after``, not after the scheduler's 1-minute back-off, through the real discord.py client
against the fake REST API. Before, discord.py's ``RateLimited`` reached the scheduler as an
unknown failure and the send was tried again a minute later."""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.app import Bot

from .fake import GENERAL, FakeDiscord
from .test_update_posts import _prompted

LIMIT = {"message": "You are being rate limited.", "retry_after": 600.0, "global": False}


def _prompts(fake: FakeDiscord) -> list[int]:
    posted = fake.posted(f"/channels/{GENERAL}/messages")
    return [p.status for p in posted if "work out loud" in (p.body.get("content") or "")]


async def test_the_retry_waits_for_what_discord_asked(
    fake: FakeDiscord, bot: Bot, clock, connect
) -> None:
    await _prompted(fake, bot, clock, connect)  # today's prompt is out (09:30 UTC daily)
    assert _prompts(fake) == [200]
    fake.fail(
        "POST",
        rf"/channels/{GENERAL}/messages$",
        429,
        LIMIT,
        headers={"Retry-After": "600", "X-RateLimit-Scope": "user"},
        times=1,
    )
    due = clock.now().astimezone(UTC).replace(hour=9, minute=30)
    assert due > clock.now()
    await bot.run_due(due + timedelta(minutes=1))
    assert _prompts(fake) == [200, 429]
    for minutes in (3, 6, 9):  # the back-off's 1 minute, and on until Discord's 10 are over
        await bot.run_due(due + timedelta(minutes=minutes))
    assert _prompts(fake) == [200, 429]
    await bot.run_due(due + timedelta(minutes=12))
    assert _prompts(fake) == [200, 429, 200]
