"""A "still open?" DM Slack took nothing of is sent at a later wake-up, through the real Bolt app.

Before, the DM was claimed, ``chat.postMessage`` answered ``service_unavailable`` (Slack took
nothing) and the claim stayed: the asker was never asked. Now it is sent again after the
repairs' back-off (2 minutes after the first failure). A refusal for good (the app's Messages
tab turned off) or an answer that may have posted (``internal_error``) is never tried again:
a DM sent twice is worse than a reminder lost.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta
from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.features import question_nudges
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_open_question_post_lost import _asked

NUDGES = "narrate_bot.features.question_nudges"


def _tries(slack: SlackEnv) -> list[dict[str, Any]]:
    return [
        {"error": c.error, "text": html.unescape(str(c.params.get("text", "")))}
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == "U1"
        and "is it still open?" in html.unescape(str(c.params.get("text", "")))
    ]


def _arrived(slack: SlackEnv) -> list[str]:
    return [t["text"] for t in _tries(slack) if t["error"] is None]


async def test_a_dm_slack_took_nothing_of_arrives_at_the_next_wake_up(slack, bot: Bot):
    await _asked(slack, "cobol")
    slack.fake.failures["chat.postMessage"] = "service_unavailable"
    await bot.run_due(bot.clock.now() + timedelta(days=14))
    assert [t["error"] for t in _tries(slack)] == ["service_unavailable"]
    del slack.fake.failures["chat.postMessage"]

    await bot.run_due(bot.clock.now() + timedelta(minutes=1))  # the back-off: not yet
    assert len(_tries(slack)) == 1
    await bot.run_due(bot.clock.now() + timedelta(minutes=1))
    [dm] = _arrived(slack)
    assert "— “cobol” — is it still open?" in dm
    assert "I'll ask once more in 14 days" in dm  # the first DM's words, not the last's

    # Sent once: no more tries, and no second DM unless the asker says "still open".
    await bot.run_due(bot.clock.now() + timedelta(days=30))
    assert len(_tries(slack)) == 2
    assert len(_arrived(slack)) == 1


@pytest.mark.parametrize(
    ("code", "logged"),
    [
        ("messages_tab_disabled", "CannotPostThere: no_dm"),  # refused for good
        ("internal_error", "SlackApiError"),  # it may have gone out
    ],
)
async def test_a_refused_or_maybe_sent_dm_is_never_tried_again(
    slack, bot: Bot, caplog: pytest.LogCaptureFixture, code: str, logged: str
):
    await _asked(slack, "cobol")
    slack.fake.failures["chat.postMessage"] = code
    with caplog.at_level(logging.WARNING, logger=NUDGES):
        await bot.run_due(bot.clock.now() + timedelta(days=14))
        del slack.fake.failures["chat.postMessage"]
        await bot.run_due(bot.clock.now() + timedelta(days=30))
    assert [t["error"] for t in _tries(slack)] == [code]
    warned = [r.getMessage() for r in caplog.records if r.name == NUDGES]
    assert len(warned) == 1 and warned[0].endswith(logged), warned
    assert "cobol" not in warned[0]


async def test_a_dm_slack_keeps_taking_nothing_of_is_given_up_after_its_tries(
    slack: SlackEnv, bot: Bot, caplog: pytest.LogCaptureFixture
):
    """Found in review: retries had no end, so a refusal that lasts (or a bad request answered
    the same every time) warned every six hours for as long as the question stayed open."""
    await _asked(slack, "cobol")
    slack.fake.failures["chat.postMessage"] = "service_unavailable"
    start = bot.clock.now() + timedelta(days=14)
    with caplog.at_level(logging.WARNING, logger=NUDGES):
        for hour in range(0, 24 * 30, 6):  # a month of wake-ups, one each 6 h
            await bot.run_due(start + timedelta(hours=hour, minutes=1))
    assert len(_tries(slack)) == question_nudges.MAX_TRIES
    warned = [r.getMessage() for r in caplog.records if r.name == NUDGES]
    assert len(warned) == question_nudges.MAX_TRIES
    assert "given up" in warned[-1]
    assert not any("cobol" in message for message in warned)
