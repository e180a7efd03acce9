"""The retries of a "still open?" DM, through the real Bolt app and slack_sdk against the mock
Web API: a 429's ``Retry-After`` is waited out, the second DM ("the last time I ask") is
retried like the first, and a retry still waiting when its asker closes the question (answered,
withdrawn, said "still open", or left the workspace) is never sent.

Coverage of behaviour that worked already when written (migration 0051's retries), through the
libraries rather than the core alone: each fails if its part of the retry path breaks.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest

from narrate_bot.app import Bot
from tests.adapters.slack.conftest import SlackEnv, eventually, until
from tests.adapters.slack.test_long_retry_after_not_slept_on import limiter_clock
from tests.adapters.slack.test_open_question_nudges import _buttons, _nudges, _press
from tests.adapters.slack.test_open_question_post_lost import _asked, _rows, _said


def _tries(slack: SlackEnv) -> list[dict[str, Any]]:
    """Every ``chat.postMessage`` of a "still open?" DM to the asker, a 429 too."""
    return [
        {"status": c.status, "error": c.error, "text": html.unescape(str(c.params.get("text")))}
        for c in slack.fake.calls
        if c.method == "chat.postMessage"
        and c.params.get("channel") == "U1"
        and "is it still open?" in html.unescape(str(c.params.get("text", "")))
    ]


def _arrived(slack: SlackEnv) -> list[str]:
    return [t["text"] for t in _tries(slack) if t["status"] == 200 and t["error"] is None]


async def test_a_rate_limited_dm_waits_for_what_slack_asked(slack: SlackEnv, bot: Bot):
    """Slack said 429, Retry-After an hour: the back-off's 2 minutes are not enough."""
    await _asked(slack, "cobol")
    # An hour is not waited out in process: the 429 reaches the follow-up. The workspace's
    # limiter stays closed as long, on a clock that moves with the bot's.
    slack.fake.rate_limit_once["chat.postMessage"] = 3600
    began = bot.clock.now()
    limiter_clock(slack.adapter.gateway, lambda: (bot.clock.now() - began).total_seconds())
    start = began + timedelta(days=14)
    await bot.run_due(start)
    assert [t["status"] for t in _tries(slack)] == [429]

    for minutes in (3, 30, 59):  # past the back-off, not yet past Slack's hour
        await bot.run_due(start + timedelta(minutes=minutes))
    assert len(_tries(slack)) == 1
    await bot.run_due(start + timedelta(minutes=61))
    assert [t["status"] for t in _tries(slack)] == [429, 200]
    [dm] = _arrived(slack)
    assert "— “cobol” — is it still open?" in dm
    await bot.run_due(start + timedelta(days=30))
    assert len(_tries(slack)) == 2  # sent once


async def test_the_second_dm_is_retried_with_its_own_words(slack: SlackEnv, bot: Bot):
    await _asked(slack, "cobol")
    await bot.run_due(bot.clock.now() + timedelta(days=14))
    await until(lambda: len(_nudges(slack)) == 1)
    _, still, _ = (value for _, value in _buttons(_nudges(slack)[0]))
    told = await _press(slack, still, 1)
    assert "I'll ask once more in 14 days" in told

    slack.fake.failures["chat.postMessage"] = "service_unavailable"
    second = bot.clock.now() + timedelta(days=14)
    await bot.run_due(second)
    assert [t["error"] for t in _tries(slack)] == [None, "service_unavailable"]
    del slack.fake.failures["chat.postMessage"]
    await bot.run_due(second + timedelta(minutes=1))  # the back-off: not yet
    assert len(_tries(slack)) == 2
    await bot.run_due(second + timedelta(minutes=3))
    first, last = _arrived(slack)
    assert "I'll ask once more in 14 days" in first
    assert "— “cobol” — is it still open?" in last
    assert "This is the last time I ask" in last  # the second DM's words, not the first's
    await bot.run_due(second + timedelta(days=60))
    assert len(_tries(slack)) == 3  # and never again


async def _departed(slack: SlackEnv) -> None:
    gone = {"id": "U1", "name": "ann", "deleted": True}
    status, _, _ = await slack.event({"type": "user_change", "user": gone}, "Ev-ann-gone")
    assert status == 200

    async def closed() -> bool:
        return [r.status for r in await _rows(slack)] == ["withdrawn"]

    await eventually(closed)


@pytest.mark.parametrize(
    ("close", "status"),
    [
        ("answered", "answered"),
        ("withdraw", "withdrawn"),
        ("still-open", "open"),
        (None, "withdrawn"),  # the asker left the workspace (``user_change``, deleted)
    ],
)
async def test_a_retry_waiting_when_the_question_is_closed_is_never_sent(
    slack: SlackEnv, bot: Bot, close: str | None, status: str
):
    await _asked(slack, "cobol")
    slack.fake.failures["chat.postMessage"] = "service_unavailable"
    start = bot.clock.now() + timedelta(days=14)
    await bot.run_due(start)
    del slack.fake.failures["chat.postMessage"]
    assert [t["error"] for t in _tries(slack)] == ["service_unavailable"]

    if close is None:
        await _departed(slack)
    else:
        [question] = await _rows(slack)
        told = await _said(slack, f"ask-channel {close} q{question.id}")  # as the DM's buttons
        assert "cobol" in told, told
    assert [r.status for r in await _rows(slack)] == [status]

    await bot.run_due(start + timedelta(hours=6))  # every retry would be due by now
    assert len(_tries(slack)) == 1
    if close == "still-open":
        # The asker answered what the DM would have asked: the last DM comes in 14 days.
        await bot.run_due(bot.clock.now() + timedelta(days=14))
        [dm] = _arrived(slack)
        assert "This is the last time I ask" in dm
    else:
        await bot.run_due(start + timedelta(days=60))
        assert _arrived(slack) == []
