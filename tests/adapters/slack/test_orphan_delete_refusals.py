"""An orphaned update post Slack refuses to delete until someone changes something
(``cant_delete_message``, the app removed from the channel) is logged once at WARNING with
Slack's code and no words of the post, then tried once a week, and at once when the app is added
to the channel again, through the real Bolt app and slack_sdk against the fake Web API. A
refusal that may pass keeps its back-off.

Before 9d6c897 every refusal was tried again every six hours for good, with a warning each time;
after it, a refusal was final, and a post naming someone forgotten stayed for good after an admin
invited the app back."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.adapters.slack.conftest import eventually
from tests.adapters.slack.test_orphan_update_posts import (
    _deletes,
    _posted_then_deleted_by_old_version,
    _scalar,
)


@pytest.mark.parametrize("code", ["cant_delete_message", "not_in_channel", "channel_not_found"])
async def test_a_refusal_that_stays_is_logged_once_and_tried_weekly(slack, caplog, code):
    ts = await _posted_then_deleted_by_old_version(slack)
    slack.fake.failures["chat.delete"] = code
    bot = slack.adapter.bot
    now = bot.clock.now()
    with caplog.at_level(logging.INFO, logger="narrate_bot"):
        await bot.run_due(now)
        for hours in (1, 7, 13, 25, 24 * 6):
            await bot.run_due(now + timedelta(hours=hours))
        assert _deletes(slack) == [("C1", ts, code)]  # not again within the week
        await bot.run_due(now + timedelta(days=7, minutes=1))
        await bot.run_due(now + timedelta(days=7, hours=1))
        assert _deletes(slack) == [("C1", ts, code)] * 2  # a week on, once
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"an orphaned update post can't be deleted ({code}): it stays in its thread, tried "
        "again weekly and when I'm added to its channel again"
    ]
    assert "importer" not in caplog.text  # the post's words are never logged
    # Kept, as the record of a post still out there, until it goes.
    assert (
        await _scalar(
            slack.db, "SELECT count(*) FROM update_post_orphan WHERE refused_at IS NOT NULL"
        )
        == 1
    )


async def test_a_post_refused_while_the_app_was_out_goes_once_access_is_back(slack):
    ts = await _posted_then_deleted_by_old_version(slack)
    slack.fake.failures["chat.delete"] = "not_in_channel"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await bot.run_due(now)
    del slack.fake.failures["chat.delete"]  # an admin gives the app its access back, unannounced
    for days in (1, 7, 30):
        await bot.run_due(now + timedelta(days=days, minutes=1))
    assert _deletes(slack) == [("C1", ts, "not_in_channel"), ("C1", ts, None)]
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0


async def test_a_post_refused_while_the_app_was_out_goes_when_it_is_invited_back(slack):
    ts = await _posted_then_deleted_by_old_version(slack)
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
            await _scalar(
                slack.db, "SELECT count(*) FROM update_post_orphan WHERE retry_at IS NULL"
            )
            == 1
        )

    await eventually(due_again)
    await bot.run_due(now + timedelta(minutes=1))  # the next wake-up, not a week later
    assert _deletes(slack) == [("C1", ts, "not_in_channel"), ("C1", ts, None)]
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0


async def test_a_refusal_that_may_pass_keeps_its_back_off(slack):
    ts = await _posted_then_deleted_by_old_version(slack)
    slack.fake.failures["chat.delete"] = "ratelimited"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await bot.run_due(now)
    await bot.run_due(now + timedelta(minutes=3))  # 2 minutes, then 4
    assert [d[2] for d in _deletes(slack)] == ["ratelimited", "ratelimited"]
    del slack.fake.failures["chat.delete"]
    await bot.run_due(now + timedelta(minutes=8))
    assert _deletes(slack)[-1] == ("C1", ts, None)
    assert await _scalar(slack.db, "SELECT count(*) FROM update_post_orphan") == 0
