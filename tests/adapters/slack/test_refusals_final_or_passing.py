"""Slack's error answers to a post, read for what they say about trying again, through the real
slack_sdk client against the fake Web API (and the real Bolt app for the commands).

Before, answers that stay until someone changes something (``account_inactive``,
``restricted_action``, ``missing_scope``, ``msg_too_long``…) counted as passing: a follower's
digest was tried three times, a prompt four, each refused the same way. Answers that say Slack
made nothing for now (``service_unavailable``, a workspace mid-migration, a truncated request)
counted as "maybe posted": the digest was never tried again and its week was lost. And a group
DM whose ``conversations.open`` failed (nothing posted yet) was "maybe posted" too, while one
to a deactivated person was tried again and again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.ports import CannotPostThere, NotPosted
from narrate_bot.replies import Post
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.fake_slack import Call
from tests.adapters.slack.test_follow_topics import _said
from tests.adapters.slack.test_update_posts import _prompt_ts

TENANT = TenantRef(platform=Platform.SLACK, tenant_id="T1", name="Acme")
# Were "took nothing, try later"; each is refused the same way until someone changes something.
FOR_GOOD = ["account_inactive", "restricted_action", "missing_scope", "msg_too_long"]
# Were "maybe posted"; Slack made nothing and says so.
FOR_NOW = ["service_unavailable", "team_added_to_org", "request_timeout"]


async def _follower_with_news(slack: SlackEnv):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    assert "Following kafka." in await _said(slack, "follow kafka")
    await _said(slack, "tuned the kafka consumer lag alerts", user="U2")
    bot = slack.adapter.bot
    return bot, bot.clock.now() + timedelta(hours=1)  # the clock starts Monday 08:00 UTC


def _tries(calls: list[Call], channel: str) -> list[str | None]:
    """The error each ``chat.postMessage`` to ``channel`` was answered with (``None``: taken)."""
    posts = [c for c in calls if c.method == "chat.postMessage"]
    return [c.error for c in posts if c.params.get("channel") == channel]


def _digest_tries(slack: SlackEnv) -> list[str | None]:
    return _tries(slack.fake.calls, "U1")


@pytest.mark.parametrize("code", FOR_GOOD)
async def test_a_digest_slack_refuses_for_good_is_tried_once(slack, code):
    bot, monday = await _follower_with_news(slack)
    slack.fake.failures["chat.postMessage"] = code
    await bot.run_due(monday + timedelta(minutes=5))
    await bot.run_due(monday + timedelta(hours=6))
    assert _digest_tries(slack) == [code]


@pytest.mark.parametrize("code", FOR_NOW)
async def test_a_digest_slack_took_nothing_for_now_is_sent_later_once(slack, code):
    bot, monday = await _follower_with_news(slack)
    slack.fake.failures["chat.postMessage"] = code
    await bot.run_due(monday + timedelta(minutes=5))
    del slack.fake.failures["chat.postMessage"]
    await bot.run_due(monday + timedelta(hours=6))
    assert _digest_tries(slack) == [code, None]


async def test_a_prompt_to_an_archived_channel_is_tried_once(slack):
    await _prompt_ts(slack)  # today's prompt is out in #team
    bot = slack.adapter.bot
    before = len(slack.fake.calls)
    slack.fake.failures["chat.postMessage"] = "is_archived"
    # The next prompt (09:30 UTC, the clock is at 08:00) and the hours its retries would take.
    await bot.run_due(bot.clock.now() + timedelta(hours=4))
    tries = _tries(slack.fake.calls[before:], "C1")
    assert tries == ["is_archived"], tries


@pytest.mark.parametrize("code", ["internal_error", "service_unavailable", "ratelimited"])
async def test_a_group_dm_whose_conversation_didnt_open_posted_nothing(slack, code):
    slack.fake.failures["conversations.open"] = code
    post = Post(text="Introduction #1: meet each other", to_users=("U1", "U2"))
    with pytest.raises(NotPosted):
        await slack.adapter.gateway.post(TENANT, post)
    assert not slack.fake.called("chat.postMessage")
    del slack.fake.failures["conversations.open"]
    assert await slack.adapter.gateway.post(TENANT, post)
    assert len(slack.fake.called("chat.postMessage")) == 1


async def test_a_group_dm_whose_conversation_didnt_open_for_a_5xx_posted_nothing(slack):
    slack.fake.statuses["conversations.open"] = (503, "Service Unavailable")
    post = Post(text="Introduction #1: meet each other", to_users=("U1", "U2"))
    with pytest.raises(NotPosted):
        await slack.adapter.gateway.post(TENANT, post)
    assert not slack.fake.called("chat.postMessage")


@pytest.mark.parametrize("code", ["user_disabled", "user_not_found", "cannot_dm_bot"])
async def test_a_group_dm_to_someone_who_cant_get_one_is_final(slack, code):
    slack.fake.failures["conversations.open"] = code
    post = Post(text="Introduction #1: meet each other", to_users=("U1", "U2"))
    with pytest.raises(CannotPostThere) as refused:
        await slack.adapter.gateway.post(TENANT, post)
    assert refused.value.reason == CannotPostThere.NO_DM
    assert not slack.fake.called("chat.postMessage")


@pytest.mark.parametrize("code", ["messages_tab_disabled", "user_not_found", "channel_not_found"])
async def test_a_dm_slack_wont_deliver_to_that_person_is_final(slack, code):
    slack.fake.failures["chat.postMessage"] = code
    with pytest.raises(CannotPostThere) as refused:
        await slack.adapter.gateway.post(TENANT, Post(text="hello", to_users=("U1",)))
    assert refused.value.reason == CannotPostThere.NO_DM
