"""Slack: a scheduled prompt Slack keeps answering 429 for, past the adapter's own retries, is
tried again no sooner than Slack's ``Retry-After``, not after the scheduler's 1-minute back-off
(which only adds to the limit), through the real slack_sdk client against the fake Web API.
Before, ``NotPosted`` carried no ``Retry-After`` and the send was tried again a minute later."""

from __future__ import annotations

from datetime import UTC, timedelta

from tests.adapters.slack.test_long_retry_after_not_slept_on import limiter_clock
from tests.adapters.slack.test_refusals_final_or_passing import _tries
from tests.adapters.slack.test_update_posts import _prompt_ts


async def test_the_retry_waits_for_what_slack_asked(slack):
    await _prompt_ts(slack)  # today's prompt is out in #team (09:30 UTC daily)
    # 10 minutes is not waited out in process: the refusal reaches the scheduler. The
    # workspace's limiter stays closed as long, on a clock that moves with the bot's.
    slack.fake.rate_limited["chat.postMessage"] = 600
    bot = slack.adapter.bot
    start = bot.clock.now()
    limiter_clock(slack.adapter.gateway, lambda: (bot.clock.now() - start).total_seconds())
    before = len(slack.fake.calls)
    due = bot.clock.now().astimezone(UTC).replace(hour=9, minute=30)  # 08:00 UTC now
    assert due > bot.clock.now()
    await bot.run_due(due + timedelta(minutes=1))
    assert _tries(slack.fake.calls[before:], "C1") == [None]  # the 429 (no Slack error code)
    for minutes in (3, 6, 9):  # the back-off's 1 minute, and on until Slack's 10 are over
        await bot.run_due(due + timedelta(minutes=minutes))
    assert len(_tries(slack.fake.calls[before:], "C1")) == 1
    del slack.fake.rate_limited["chat.postMessage"]
    await bot.run_due(due + timedelta(minutes=12))
    posts = [c for c in slack.fake.calls[before:] if c.method == "chat.postMessage"]
    assert [c.status for c in posts if c.params.get("channel") == "C1"] == [429, 200]
