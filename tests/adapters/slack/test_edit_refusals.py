"""Slack: a message quoting narrations (a followed-topics DM) or an introductions channel post
whose ``chat.update`` Slack refuses until someone changes something (``cant_update_message``,
the app removed from the channel, an archived channel, ``edit_window_closed``) is logged once at
WARNING with Slack's code and none of its words, then tried once a week, through the real Bolt
app and slack_sdk against the local mock Web API; a message gone is done. Before this change
every such refusal was tried again every six hours for ever, with a warning each time."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_follow_digest_follows_its_quotes import _digest
from tests.adapters.slack.test_follow_digest_follows_its_quotes import _said as _said_in
from tests.adapters.slack.test_intro_post_follows_forget_me import _forget_u2, _introduced

TRIES = (1, 7, 13, 25, 24 * 6)  # hours after the refusal: within the week


def _updates(slack: SlackEnv) -> list[str | None]:
    return [c.error for c in slack.fake.called("chat.update")]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def _scalar(slack: SlackEnv, sql: str) -> object:
    async with slack.db.engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


@pytest.mark.parametrize(
    "code", ["cant_update_message", "not_in_channel", "is_archived", "edit_window_closed"]
)
async def test_a_dm_edit_refused_for_good_is_logged_once_and_tried_weekly(slack, caplog, code):
    await _digest(slack)
    slack.fake.failures["chat.update"] = code
    bot = slack.adapter.bot
    now = bot.clock.now()
    with caplog.at_level(logging.INFO, logger="narrate_bot"):
        said = await _said_in(slack, "delete 1", user="U2")
        assert "still shows the old words" in said, said
        for hours in TRIES:
            await bot.run_due(now + timedelta(hours=hours))
        assert _updates(slack) == [code]  # not again within the week
        await bot.run_due(now + timedelta(days=7, minutes=1))
        await bot.run_due(now + timedelta(days=7, hours=1))
        assert _updates(slack) == [code] * 2  # a week on, once
    assert _warnings(caplog) == [
        f"a message that quotes narrations can't be edited ({code}): it keeps its old lines, "
        "tried again weekly"
    ]
    assert "hunter2" not in caplog.text and "kafka" not in caplog.text
    assert await _scalar(slack, "SELECT count(*) FROM narration_copy WHERE refused_at IS NOT NULL")


async def test_a_dm_refused_then_editable_again_is_edited_a_week_on(slack):
    await _digest(slack)
    slack.fake.failures["chat.update"] = "not_in_channel"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await _said_in(slack, "delete 1", user="U2")
    del slack.fake.failures["chat.update"]  # access given back, unannounced
    for days in (1, 7, 30):
        await bot.run_due(now + timedelta(days=days, minutes=1))
    assert _updates(slack) == ["not_in_channel", None]
    [_, edit] = slack.fake.called("chat.update")
    assert "hunter2" not in str(edit.params)
    assert not await _scalar(
        slack, "SELECT count(*) FROM narration_copy WHERE refused_at IS NOT NULL"
    )


async def test_a_dm_message_gone_is_done(slack):
    await _digest(slack)
    slack.fake.failures["chat.update"] = "message_not_found"
    bot = slack.adapter.bot
    said = await _said_in(slack, "delete 1", user="U2")
    assert "still shows the old words" not in said, said
    for hours in TRIES:
        await bot.run_due(bot.clock.now() + timedelta(hours=hours))
    assert _updates(slack) == ["message_not_found"]


async def test_a_passing_error_keeps_its_back_off(slack):
    await _digest(slack)
    slack.fake.failures["chat.update"] = "internal_error"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await _said_in(slack, "delete 1", user="U2")
    await bot.run_due(now + timedelta(minutes=3))
    await bot.run_due(now + timedelta(minutes=8))
    assert _updates(slack) == ["internal_error"] * 3


async def test_an_intro_post_edit_refused_for_good_is_logged_once_and_tried_weekly(slack, caplog):
    ts = await _introduced(slack)
    slack.fake.failures["chat.update"] = "not_in_channel"
    bot = slack.adapter.bot
    now = bot.clock.now()
    with caplog.at_level(logging.INFO, logger="narrate_bot"):
        told = await _forget_u2(slack)
        assert "I couldn't edit an introduction's post" in told, told
        for hours in TRIES:
            await bot.run_due(now + timedelta(hours=hours))
        assert _updates(slack) == ["not_in_channel"]
        del slack.fake.failures["chat.update"]
        await bot.run_due(now + timedelta(days=7, minutes=1))
    assert _updates(slack) == ["not_in_channel", None]
    edit = slack.fake.called("chat.update")[-1]
    assert edit.params["ts"] == ts and "<@U2>" not in str(edit.params)
    assert _warnings(caplog) == [
        "an introduction's post can't be edited (not_in_channel): it still names someone "
        "forgotten, tried again weekly"
    ]
    assert "kafka" not in caplog.text
    assert not await _scalar(slack, "SELECT count(*) FROM intro_post WHERE refused_at IS NOT NULL")
