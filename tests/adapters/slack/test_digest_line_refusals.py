"""Slack: a weekly digest's line of a question an older replica deleted, whose removal Slack
refuses until someone changes something (the app removed from the channel,
``cant_delete_message``, ``cant_update_message``), is logged once at WARNING with Slack's code and
none of its words, then tried once a week, and at once when the app is added to the channel
again, through the real Bolt app and slack_sdk against the local mock Web API. A refusal that
may pass keeps its back-off.

Before this change such a line was tried again every six hours for ever, with a warning each
time, like no other repair, and an admin inviting the app back changed nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, eventually, until

QUESTION = "stuck on the cobol payroll batch, any ideas?"
TRIES = (1, 7, 13, 25, 24 * 6)  # hours after the refusal: within the week


async def _scalar(slack: SlackEnv, sql: str) -> object:
    async with slack.db.engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def _listed_then_deleted_by_old_version(slack: SlackEnv, *, other: bool) -> str:
    """U2's question (and U3's, when ``other``) listed in Friday's digest of #team, then U2's
    deleted by an older replica's withdraw (its own SQL): the digest thread post's ``ts``, its
    line left for the repair (to delete the post, or with ``other`` to edit it)."""
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    await slack.command("schedule digest on fri 16:00 Europe/Berlin")
    await until(lambda: slack.fake.responses)
    await slack.command("questions-channel here")
    await slack.command("join", user="U2")
    await slack.command(f"ask-channel <#C1|team> {QUESTION}", user="U2")
    if other:
        await slack.command("join", user="U3")
        await slack.command("ask-channel <#C1|team> who knows fortran?", user="U3")
        await until(
            lambda: any("fortran" in str(c.params) for c in slack.fake.called("chat.postMessage"))
        )
    await until(
        lambda: any("cobol" in str(c.params) for c in slack.fake.called("chat.postMessage"))
    )
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=5))
    posted = [c for c in slack.fake.called("chat.postMessage") if c.error is None]
    [thread] = [c for c in posted if "Open questions" in str(c.params.get("text"))]
    ts = f"1700000000.{posted.index(thread) + 1:06d}"  # the fake's ts for each post, in order
    async with slack.db.engine.begin() as conn:
        await conn.execute(
            text(
                "DELETE FROM open_question WHERE person_id ="
                " (SELECT id FROM person WHERE user_id = 'U2')"
            )
        )
    assert await _scalar(slack, "SELECT count(*) FROM digest_question_gone") == 1
    return ts


def _tries(slack: SlackEnv, method: str, ts: str) -> list[str | None]:
    return [c.error for c in slack.fake.called(method) if c.params.get("ts") == ts]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    ("method", "code", "other"),
    [
        ("chat.delete", "not_in_channel", False),
        ("chat.delete", "cant_delete_message", False),
        ("chat.update", "cant_update_message", True),
    ],
)
async def test_a_refusal_that_stays_is_logged_once_and_tried_weekly(
    slack, caplog, method, code, other
):
    ts = await _listed_then_deleted_by_old_version(slack, other=other)
    slack.fake.failures[method] = code
    bot = slack.adapter.bot
    now = bot.clock.now()
    with caplog.at_level(logging.INFO, logger="narrate_bot"):
        await bot.run_due(now)
        for hours in TRIES:
            await bot.run_due(now + timedelta(hours=hours))
        assert _tries(slack, method, ts) == [code]  # not again within the week
        await bot.run_due(now + timedelta(days=7, minutes=1))
        await bot.run_due(now + timedelta(days=7, hours=1))
        assert _tries(slack, method, ts) == [code] * 2  # a week on, once
    assert _warnings(caplog) == [
        f"a weekly digest's line of a deleted question can't be taken out ({code}): it stays "
        "in the digest's thread, tried again weekly and when I'm added to its channel again"
    ]
    assert "cobol" not in caplog.text  # the question's words are never logged
    assert await _scalar(
        slack, "SELECT count(*) FROM digest_question_gone WHERE refused_at IS NOT NULL"
    )


async def test_a_line_refused_while_the_app_was_out_goes_when_it_is_invited_back(slack):
    ts = await _listed_then_deleted_by_old_version(slack, other=False)
    slack.fake.failures["chat.delete"] = "not_in_channel"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await bot.run_due(now)
    del slack.fake.failures["chat.delete"]
    slack.fake.members["C1"] = ["UBOT", "U1"]
    await slack.event(
        {"type": "member_joined_channel", "user": "UBOT", "channel": "C1", "channel_type": "C"},
        "Ev-bot-back",
    )

    async def due_again() -> bool:
        return (
            await _scalar(slack, "SELECT count(*) FROM digest_question_gone WHERE retry_at IS NULL")
            == 1
        )

    await eventually(due_again)
    await bot.run_due(now + timedelta(minutes=1))  # the next wake-up, not a week later
    assert _tries(slack, "chat.delete", ts) == ["not_in_channel", None]
    assert await _scalar(slack, "SELECT count(*) FROM digest_question_gone") == 0


async def test_a_refusal_that_may_pass_keeps_its_back_off(slack):
    ts = await _listed_then_deleted_by_old_version(slack, other=False)
    slack.fake.failures["chat.delete"] = "ratelimited"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await bot.run_due(now)
    await bot.run_due(now + timedelta(minutes=3))  # 2 minutes, then 4
    assert _tries(slack, "chat.delete", ts) == ["ratelimited", "ratelimited"]
    del slack.fake.failures["chat.delete"]
    await bot.run_due(now + timedelta(minutes=8))
    assert _tries(slack, "chat.delete", ts)[-1] is None
    assert await _scalar(slack, "SELECT count(*) FROM digest_question_gone") == 0
