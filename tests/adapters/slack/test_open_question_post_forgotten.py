"""Forget-me deletes the bot's post of an open question in Slack (chat.delete with the bot
token, on the channel and ts chat.postMessage answered): before, the post stayed, naming the
person. A post Slack won't delete is named in the reply; one already gone is no complaint."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import TOKEN, SlackEnv, until


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _ask_then_forget(slack: SlackEnv) -> str:
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    assert "Posted your question" in await _said(slack, "ask-channel <#CQ|questions> cobol")
    await _said(slack, "forget-me")
    return await _said(slack, "forget-me confirm")


async def test_forget_me_deletes_the_question_post(slack):
    told = await _ask_then_forget(slack)
    posts = slack.fake.called("chat.postMessage")
    [index] = [i for i, c in enumerate(posts) if c.params["channel"] == "CQ"]
    assert "<@U1> is looking for someone who knows about" in str(posts[index].params)
    [deleted] = slack.fake.called("chat.delete")
    # The fake's ts count 1, 2, 3… over its chat.postMessage answers, in order.
    assert deleted.params == {"channel": "CQ", "ts": f"1700000000.{index + 1:06d}"}
    assert deleted.token == TOKEN
    assert "Done: I erased everything about you" in told
    assert "couldn't remove" not in told


async def test_a_post_already_gone_is_no_complaint(slack):
    slack.fake.failures["chat.delete"] = "message_not_found"
    told = await _ask_then_forget(slack)
    assert "Done: I erased everything about you" in told
    assert "couldn't remove" not in told


@pytest.mark.parametrize(
    "error", ["cant_delete_message", "not_in_channel", "channel_not_found", "internal_error"]
)
async def test_a_post_slack_keeps_is_named_and_the_erasure_still_happens(slack, error):
    slack.fake.failures["chat.delete"] = error
    told = await _ask_then_forget(slack)
    assert "Done: I erased everything about you" in told
    assert "I couldn't remove my post of your question (“cobol” in #questions)" in told
