"""Slack: a narration deleted or edited after a followed-topics DM quoted it is edited in that
DM with ``chat.update``, on the DM's id (``conversations.open``: ``chat.update`` takes no user
id), through the real Bolt app and slack_sdk against the local mock Web API; a ``chat.update``
Slack refuses is tried again by the scheduler."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.slack.conftest import SlackEnv, until

SECRET = "tuned the kafka consumer lag alerts, hunter2 is the password"


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _digest(slack: SlackEnv) -> None:
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    assert "Following kafka." in await _said(slack, "follow kafka")
    await _said(slack, SECRET, user="U2")
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(hours=2))  # Monday 09:00 UTC
    [dm] = [c.params for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    assert "hunter2" in str(dm["text"])


async def test_delete_edits_the_followers_dm(slack):
    await _digest(slack)
    posted = [c for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    assert "Deleted #1" in await _said(slack, "delete 1", user="U2")
    [edit] = slack.fake.called("chat.update")
    assert edit.params["channel"] == "DU1"  # the DM's id, not the user's
    assert "hunter2" not in str(edit.params) and "removed by its author" in str(edit.params)
    assert len(posted) == 1


async def test_edit_refreshes_the_quote_in_the_dm(slack):
    await _digest(slack)
    assert "Updated #1" in await _said(
        slack, "edit 1 tuned the kafka consumer lag alerts", user="U2"
    )
    [edit] = slack.fake.called("chat.update")
    assert "hunter2" not in str(edit.params)
    assert "tuned the kafka consumer lag alerts" in str(edit.params["text"])


async def test_a_refused_update_is_tried_again_later(slack):
    await _digest(slack)
    slack.fake.failures["chat.update"] = "internal_error"
    said = await _said(slack, "delete 1", user="U2")
    assert "still shows the old words" in said, said
    del slack.fake.failures["chat.update"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=3))
    edits = slack.fake.called("chat.update")
    assert edits and "hunter2" not in str(edits[-1].params), edits
