"""A questions channel Slack refuses for good (archived, or the app not in it) is said so, with
who can fix it: before, the asker was told "please try again" however often they tried."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import SlackEnv, until


async def _ask_when_slack_answers(slack: SlackEnv, error: str) -> str:
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    slack.fake.failures["chat.postMessage"] = error
    await slack.command("ask-channel <#CQ|questions> cobol mainframes")
    await until(lambda: len(slack.fake.responses) >= 2)
    return str(slack.fake.responses[-1]["text"])


@pytest.mark.parametrize(
    ("error", "why"),
    [
        ("is_archived", "it's archived"),
        ("not_in_channel", "I'm not in it"),
        ("channel_not_found", "I'm not in it"),
    ],
)
async def test_a_channel_slack_refuses_is_named_with_who_can_fix_it(slack, error, why):
    text = await _ask_when_slack_answers(slack, error)
    assert f"I can't post in #questions: {why}." in text
    assert "An admin can choose another open-questions channel" in text
    assert "try again" not in text


async def test_a_passing_failure_still_says_try_again(slack):
    text = await _ask_when_slack_answers(slack, "internal_error")
    assert "I couldn't post to #questions just now; please try again." in text
