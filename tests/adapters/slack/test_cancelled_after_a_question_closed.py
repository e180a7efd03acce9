"""A DM closing an open question, cancelled once the close committed, closes no second one.

"ask-channel withdraw" (or "answered") typed to the bot closes the asker's newest open question,
and said again closes the one before. The close commits before its answer is ready: a withdrawn
question's post is then deleted (``remove_posts``), a credited answerer thanked. A handler
cancelled there (a shutdown) gave its claim back, since ``Bot.handle`` hadn't returned, and
Slack's retry of the event withdrew the asker's other open question too. The close now reports
its commit (``Turn.committed_as``), so the cancelled event's claim is finished instead. Slash
commands and interactive requests carry no event id and are never redelivered by Slack (they
fail on the asker's screen instead), so only the event path can double. Signed requests into
the real Bolt app, slack_sdk against the fake Web API.
"""

from __future__ import annotations

import asyncio
import math

from sqlmodel import col, select

from narrate_bot.features import question_posts
from narrate_bot.storage.question_tables import OpenQuestion
from tests.adapters.slack.conftest import (
    RETRY,
    SlackEnv,
    cancel_newest,
    dm_event,
    handler_tasks,
    held_at,
    until,
)


async def _open(slack: SlackEnv) -> list[str]:
    async with slack.db.transaction() as session:
        rows = await session.exec(
            select(OpenQuestion.text).where(col(OpenQuestion.status) == "open")
        )
        return sorted(rows.all())


async def _two_questions(slack: SlackEnv) -> None:
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: len(slack.fake.responses) == 1)
    await slack.command("ask-channel <#CQ|questions> cobol")
    await until(lambda: len(slack.fake.responses) == 2)
    await slack.command("ask-channel <#CQ|questions> rexx")
    await until(lambda: len(slack.fake.responses) == 3)
    await slack.command("join", user="U2")  # someone to credit
    await until(lambda: len(slack.fake.responses) == 4)
    await slack.adapter.drain(timeout=math.inf)
    assert await _open(slack) == ["cobol", "rexx"]


async def test_a_retry_after_a_cancel_while_a_withdrawn_question_is_taken_down(slack, monkeypatch):
    await _two_questions(slack)
    handlers = handler_tasks(slack, monkeypatch)
    taking_down, proceed = held_at(monkeypatch, question_posts, "remove_posts")
    await slack.event(dm_event("ask-channel withdraw"), "Ev-withdraw")
    await asyncio.wait_for(taking_down.wait(), 10)
    assert await _open(slack) == ["cobol"]  # rexx withdrawn and committed
    await cancel_newest(slack, handlers)
    proceed.set()

    status, _, _ = await slack.event(dm_event("ask-channel withdraw"), "Ev-withdraw", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)
    # Before: the retry withdrew cobol as well, and deleted its post.
    assert await _open(slack) == ["cobol"]
    assert slack.fake.called("chat.delete") == []


async def test_a_retry_after_a_cancel_while_an_answerer_is_thanked(slack, monkeypatch):
    await _two_questions(slack)
    handlers = handler_tasks(slack, monkeypatch)
    thanking, proceed = held_at(monkeypatch, question_posts, "_send_thanks")
    answered = dm_event("ask-channel answered by <@U2>")
    await slack.event(answered, "Ev-answered")
    await asyncio.wait_for(thanking.wait(), 10)
    assert await _open(slack) == ["cobol"]  # rexx answered and committed
    await cancel_newest(slack, handlers)
    proceed.set()

    status, _, _ = await slack.event(answered, "Ev-answered", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)
    # Before: the retry marked cobol answered too, and thanked U2 a second time.
    assert await _open(slack) == ["cobol"]
