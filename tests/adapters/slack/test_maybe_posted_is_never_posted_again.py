"""A post Slack may have made is never posted a second time, through the real Bolt app and
slack_sdk against the fake Web API.

Slack documents ``internal_error`` and ``fatal_error`` as "it's possible some aspect of the
operation succeeded before the error was raised", and a 5xx with no error code says nothing of
what happened. Before, the gateway read every error it didn't list as "Slack took nothing", so
the scheduler tried again: a form update showed twice in the prompt's thread, a followed
topics' digest reached its follower twice. Now only answers that say Slack refused before
posting (``ratelimited``, the token, a scope, the message itself) are tried again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_follow_topics import _said as _said_in
from tests.adapters.slack.test_update_posts import _prompt_ts, _submit

# Slack's codes for "some aspect may have succeeded", and 5xx answers naming no code: with
# JSON that names none, with an empty body, with a plain one (an edge proxy's page).
MAYBE_POSTED = [
    pytest.param("internal_error", id="internal_error"),
    pytest.param("fatal_error", id="fatal_error"),
    pytest.param((500, '{"ok": false}'), id="500-no-code"),
    pytest.param((503, ""), id="503-empty"),
    pytest.param((502, "Bad Gateway"), id="502-plain"),
]


def _fail_posts(slack: SlackEnv, how: str | tuple[int, str]) -> None:
    if isinstance(how, tuple):
        slack.fake.statuses["chat.postMessage"] = how
    else:
        slack.fake.failures["chat.postMessage"] = how


def _heal_posts(slack: SlackEnv) -> None:
    slack.fake.statuses.pop("chat.postMessage", None)
    slack.fake.failures.pop("chat.postMessage", None)


def _tries(slack: SlackEnv, **params: str) -> list[object]:
    return [
        (c.error, c.params.get("text"))
        for c in slack.fake.calls
        if c.method == "chat.postMessage" and all(c.params.get(k) == v for k, v in params.items())
    ]


@pytest.mark.parametrize("how", MAYBE_POSTED)
async def test_an_update_post_slack_may_have_made_is_not_posted_again(slack, how):
    thread = await _prompt_ts(slack)
    _fail_posts(slack, how)
    told = await _submit(slack, "shipped the importer")
    assert "Noted as #1" in told
    assert "I couldn't post it in the prompt's thread in #team just now." in told
    assert "I'll try again" not in told
    _heal_posts(slack)
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(hours=3))
    tries = _tries(slack, thread_ts=thread)
    assert len(tries) == 1, tries


async def test_an_update_post_slack_refused_is_still_posted_later(slack):
    thread = await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    assert "I'll try again in a few minutes" in await _submit(slack, "shipped the importer")
    _heal_posts(slack)
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(hours=3))
    tries = _tries(slack, thread_ts=thread)
    assert [error for error, _ in tries] == ["ratelimited", None], tries


@pytest.mark.parametrize("how", MAYBE_POSTED)
async def test_a_digest_slack_may_have_sent_is_not_sent_again(slack, how):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    assert "Following kafka." in await _said_in(slack, "follow kafka")
    await _said_in(slack, "tuned the kafka consumer lag alerts", user="U2")
    bot = slack.adapter.bot
    monday = bot.clock.now() + timedelta(hours=1)
    _fail_posts(slack, how)
    await bot.run_due(monday + timedelta(minutes=5))
    _heal_posts(slack)
    await bot.run_due(monday + timedelta(hours=6))
    tries = _tries(slack, channel="U1")
    assert len(tries) == 1, tries
