"""An open question whose post is gone is no longer open, and its asker is told by DM.

Before, a question whose post an admin deleted in #questions (Slack's ``message_deleted``,
heard with the history scopes), or whose channel was archived or deleted, stayed open for ever:
weekly digests kept listing it as waiting for an answer nobody could give, and its asker's
``ask-channel answered`` still found it. Events come signed into the real Bolt app.
"""

from __future__ import annotations

import asyncio
import html

from sqlmodel import select

from narrate_bot.storage.question_tables import OpenQuestion
from tests.adapters.slack.conftest import SlackEnv, until

NO_OPEN = "You have no open question in the open-questions channel"


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _asked(slack: SlackEnv, *questions: str) -> list[str]:
    """The questions posted in #questions by U1, with their posts' ts."""
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    for question in questions:
        told = await _said(slack, f"ask-channel <#CQ|questions> {question}")
        assert told.startswith("Posted your question in #questions"), told
    posts = [c for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "CQ"]
    assert len(posts) == len(questions)
    return [f"1700000000.{i + 1:06d}" for i, c in enumerate(slack.fake.called("chat.postMessage"))]


async def _rows(slack: SlackEnv) -> list[OpenQuestion]:
    async with slack.db.transaction() as session:
        return list((await session.exec(select(OpenQuestion).order_by(OpenQuestion.id))).all())


async def _until_status(slack: SlackEnv, *wanted: str) -> list[OpenQuestion]:
    for _ in range(200):
        rows = await _rows(slack)
        if tuple(r.status for r in rows) == wanted:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"statuses never became {wanted}: {[r.status for r in rows]}")


def _dms(slack: SlackEnv, user: str) -> list[str]:
    return [
        html.unescape(str(c.params.get("text", "")))  # as Slack shows it
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == user
    ]


async def test_a_deleted_post_closes_its_question_and_tells_the_asker(slack):
    [cobol, rexx] = await _asked(slack, "cobol", "rexx")
    # Someone deletes an unrelated message there, then an admin deletes the cobol post.
    for ts, event_id in (("1700000099.000001", "Ev-del-other"), (cobol, "Ev-del-cobol")):
        status, _, _ = await slack.event(
            {
                "type": "message",
                "subtype": "message_deleted",
                "hidden": True,
                "channel": "CQ",
                "channel_type": "channel",
                "ts": "1763800100.000100",
                "deleted_ts": ts,
                "event_ts": "1763800100.000100",
            },
            event_id,
        )
        assert status == 200
    rows = await _until_status(slack, "lost", "open")
    assert [r.post_message_id for r in rows] == [cobol, rexx]
    await until(lambda: bool(_dms(slack, "U1")))
    [dm] = _dms(slack, "U1")
    assert dm.startswith(
        "My post of your question “cobol” in #questions was deleted there, so nobody can "
        "answer it there and I no longer list it as open. If you still need an answer, ask "
        "again with /narrate ask-channel <question>:"
    ), dm
    # The asker's close commands find the question still open, not the lost one.
    told = await _said(slack, "ask-channel answered")
    assert "your question “rexx” in #questions answered" in told, told
    assert NO_OPEN in await _said(slack, "ask-channel answered")
    # Forget-me deletes the rest (a post gone already is done, and says nothing).
    await _said(slack, "forget-me")
    told = await _said(slack, "forget-me confirm")
    assert "couldn't remove" not in told, told
    assert rexx in [c.params["ts"] for c in slack.fake.called("chat.delete")]


async def test_an_archived_questions_channel_closes_its_open_questions(slack):
    await _asked(slack, "cobol")
    await _said(slack, "ask-channel <#CQ|questions> rexx", user="U3")
    await _said(slack, "ask-channel answered", user="U3")
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_archived": True}
    status, _, _ = await slack.event(
        {"type": "channel_archive", "channel": "CQ", "user": "U2", "event_ts": "1763800100.1"},
        "Ev-archive-q",
    )
    assert status == 200
    rows = await _until_status(slack, "lost", "answered")
    assert rows[0].post_message_id  # the post is still there, archived: forget-me tries it
    await until(lambda: bool(_dms(slack, "U1")))
    assert _dms(slack, "U1") == [
        "#questions was archived, so your open question “cobol” there can't be answered there "
        "any more; I no longer list it as open. If you still need an answer, ask again with "
        "/narrate ask-channel <question>:\n> cobol"
    ]
    assert _dms(slack, "U3") == []  # their question was answered: nothing lost
    assert NO_OPEN in await _said(slack, "ask-channel withdraw")


async def test_a_deleted_questions_channel_closes_its_questions(slack):
    await _asked(slack, "cobol")
    status, _, _ = await slack.event(
        {"type": "channel_deleted", "channel": "CQ", "event_ts": "1763800100.1"}, "Ev-del-q"
    )
    assert status == 200
    [row] = await _until_status(slack, "lost")
    assert (row.post_channel_id, row.post_message_id) == ("", "")
    await until(lambda: bool(_dms(slack, "U1")))
    assert _dms(slack, "U1")[0].startswith(
        "#questions was deleted, with my post of your question “cobol”, so I no longer list it "
        "as open."
    )
    await _said(slack, "forget-me")
    await _said(slack, "forget-me confirm")
    assert slack.fake.called("chat.delete") == []
