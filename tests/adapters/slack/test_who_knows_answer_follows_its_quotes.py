"""Slack: a who-knows answer posted in the channel (a mention's thread) quotes narrations; their
delete, edit and their author's forget-me edit that answer with ``chat.update`` on its own
``ts``, through the real Bolt app and slack_sdk against the local mock Web API. An ephemeral
answer is never edited (Slack edits none), and a refused edit is tried again by the scheduler.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.adapters.slack.conftest import SlackEnv, until

SECRET = "tuned the kafka consumer lag alerts, hunter2 is the password"
ASKED_TS = "1763800000.000200"


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _answered(slack: SlackEnv, *narrations: str) -> dict[str, Any]:
    """U2 narrates; U1 asks by mentioning the bot in #general: the answer, as posted."""
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    for text in narrations:
        await _said(slack, text, user="U2")
    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> who knows about kafka?",
        "ts": ASKED_TS,
        "channel": "C1",
        "event_ts": ASKED_TS,
    }
    await slack.event(mention, "Ev-who-quotes")
    await until(lambda: slack.fake.called("chat.postEphemeral"))  # the "This helped" ask
    [answer] = [c for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "C1"]
    assert answer.params["thread_ts"] == ASKED_TS and "hunter2" in str(answer.params)
    return answer.params


async def test_delete_edits_the_answer_in_the_channel(slack):
    answer = await _answered(slack, SECRET)
    said = await _said(slack, "delete 1", user="U2")
    assert "Deleted #1" in said and "still shows" not in said, said
    [edit] = slack.fake.called("chat.update")
    # The answer's own message (the fake's ts for a post), not the question it answers.
    assert edit.params["channel"] == "C1" and edit.params["ts"].startswith("1700000000.")
    assert "thread_ts" not in edit.params and answer["thread_ts"] == ASKED_TS
    assert "hunter2" not in str(edit.params) and "removed by its author" in str(edit.params)
    assert "<@U2>" not in str(edit.params)  # nobody left in it is named for it
    assert "Who knows about" in str(edit.params["text"])


async def test_edit_refreshes_the_quote_in_the_answer(slack):
    await _answered(slack, SECRET)
    assert "Updated #1" in await _said(
        slack, "edit 1 tuned the kafka consumer lag alerts", user="U2"
    )
    [edit] = slack.fake.called("chat.update")
    assert "hunter2" not in str(edit.params)
    assert "tuned the kafka consumer lag alerts" in str(edit.params["text"])
    assert "<@U2>" in str(edit.params)  # still the one who knows


async def test_forget_me_of_the_quoted_person_edits_the_answer(slack):
    await _answered(slack, SECRET)
    await _said(slack, "forget-me", user="U2")
    said = await _said(slack, "forget-me confirm", user="U2")
    assert "Done: I erased everything about you" in said, said
    edits = [c for c in slack.fake.called("chat.update") if c.params["channel"] == "C1"]
    assert edits and "hunter2" not in str(edits[-1].params)
    assert "<@U2>" not in str(edits[-1].params)


async def test_a_refused_edit_is_tried_again_later(slack):
    await _answered(slack, SECRET)
    slack.fake.failures["chat.update"] = "internal_error"
    said = await _said(slack, "delete 1", user="U2")
    assert "still shows the old words" in said, said
    del slack.fake.failures["chat.update"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=3))
    edits = slack.fake.called("chat.update")
    assert edits and "hunter2" not in str(edits[-1].params), edits


async def test_an_ephemeral_answer_is_not_edited(slack):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    await _said(slack, SECRET, user="U2")
    assert "hunter2" in await _said(slack, "who kafka", user="U1")  # to U1 alone
    await _said(slack, "delete 1", user="U2")
    assert slack.fake.called("chat.update") == []
