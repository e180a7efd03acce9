"""Asking a question again after marking it answered, and that second post failing, leaves the
answered one alone: its post (naming the asker) is still deleted by forget-me, and it still
counts as answered. Before, the failed attempt's clean-up dropped every row of that question
kept in the last 5 minutes, the answered one too, so forget-me no longer knew of its post: it
stayed, and the person was told nothing."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.question_tables import ANSWERED, OpenQuestion
from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _rows(db) -> list[tuple[str, str | None]]:
    async with db.transaction() as session:
        rows = (await session.exec(select(OpenQuestion))).all()
    return [(row.status, row.post_message_id) for row in rows]


async def test_a_failed_repost_keeps_the_answered_post_for_forget_me(slack, db):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    assert "Posted your question" in await _said(slack, "ask-channel <#CQ|questions> cobol")
    assert "marked" in await _said(slack, "ask-channel answered")
    answered = await _rows(db)
    [(status, first_ts)] = answered
    assert status == ANSWERED and first_ts

    slack.fake.failures["chat.postMessage"] = "internal_error"
    assert "couldn't post" in await _said(slack, "ask-channel <#CQ|questions> cobol")
    del slack.fake.failures["chat.postMessage"]
    assert await _rows(db) == answered, "the answered question was dropped"

    await _said(slack, "forget-me")
    told = await _said(slack, "forget-me confirm")
    deleted = [(c.params["channel"], c.params["ts"]) for c in slack.fake.called("chat.delete")]
    assert deleted == [("CQ", first_ts)], f"the answered post stays; told: {told}"
