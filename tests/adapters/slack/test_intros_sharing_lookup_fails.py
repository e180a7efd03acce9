"""Slack: the weekly introductions, when ``conversations.info`` can't say whether outsiders
read the introductions channel (a rate limit in force, a 5xx, ``channel_not_found``), are
posted as for a shared channel (no topics), and that guess is not stored. Slack's mock Web API
through slack_sdk, the real scheduler and introductions, real storage.

The introductions read the channel's flag from its row, so the scheduler stored the careful
reading there (``keep_unsure``; a failure other than a rate limit was answered "shared" and
stored too): an internal introductions channel stayed stored as shared after one failed
look-up, every later round's posts there without their topics, until an event in it. On that
code the stored flag is ``true`` after the round.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_digest_asks_if_shared import _stored_shared
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods, limiter_clock


async def _intros_in_public_channel(slack: SlackEnv) -> None:
    """#intros is the introductions channel; two people who narrate kafka in #payroll."""
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["CINTRO"] = {"id": "CINTRO", "name": "intros", "is_channel": True}
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payroll", "is_channel": True}
    await slack.command("intros channel here", channel="CINTRO", channel_name="intros")
    for user in ("U2", "U3"):
        await slack.command("intros join", user=user, channel="CPUB", channel_name="payroll")
        await slack.command("kafka consumer lag", user=user, channel="CPUB", channel_name="payroll")
    await until(lambda: len(slack.fake.responses) >= 5)


async def _posted_in_intros(slack: SlackEnv) -> str:
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    [posted] = [
        str(c.params.get("text"))
        for c in slack.fake.called("chat.postMessage")
        if c.params.get("channel") == "CINTRO"
    ]
    return posted


async def _rate_limited(slack: SlackEnv) -> None:
    limiter_clock(slack.adapter.gateway, lambda: 0.0)
    await close_methods(slack, 2400, "conversations.info")


async def _answered_503(slack: SlackEnv) -> None:
    slack.fake.statuses["conversations.info"] = (503, "")


async def _not_found(slack: SlackEnv) -> None:
    slack.fake.failures["conversations.info"] = "channel_not_found"


@pytest.mark.parametrize(
    "fail",
    [
        pytest.param(_rate_limited, id="rate-limited"),
        pytest.param(_answered_503, id="503"),
        pytest.param(_not_found, id="channel_not_found"),
    ],
)
async def test_introductions_behind_a_failed_lookup_name_no_topics_and_store_no_guess(
    slack: SlackEnv, fail
):
    await _intros_in_public_channel(slack)
    assert not await _stored_shared(slack, "CINTRO")
    await fail(slack)

    posted = await _posted_in_intros(slack)

    assert "Introduction" in posted and "kafka" not in posted, posted
    assert not await _stored_shared(slack, "CINTRO")
