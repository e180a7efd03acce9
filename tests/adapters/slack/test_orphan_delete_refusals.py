"""An orphaned update post Slack refuses for good to delete (``cant_delete_message``, the app
removed from the channel) is given up after one try, through the real Bolt app and slack_sdk
against the fake Web API: kept as given up, logged once at WARNING with Slack's code and no
words of the post, never asked again. A refusal that may pass keeps its back-off.

Before, every refusal was tried again every six hours for good, with a warning each time."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.adapters.slack.test_orphan_update_posts import (
    _deletes,
    _posted_then_deleted_by_old_version,
    _scalar,
)


@pytest.mark.parametrize("code", ["cant_delete_message", "not_in_channel", "channel_not_found"])
async def test_a_refusal_that_stays_is_final(slack, caplog, code):
    ts = await _posted_then_deleted_by_old_version(slack)
    slack.fake.failures["chat.delete"] = code
    bot = slack.adapter.bot
    now = bot.clock.now()
    with caplog.at_level(logging.INFO, logger="narrate_bot"):
        await bot.run_due(now)
        for hours in (1, 7, 13, 25, 24 * 8):
            await bot.run_due(now + timedelta(hours=hours))
    assert _deletes(slack) == [("C1", ts, code)]  # once, never again
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"an orphaned update post can't be deleted ({code}): given up, it stays in its thread"
    ]
    assert "importer" not in caplog.text  # the post's words are never logged
    # Kept, as the record of a post still out there; not due any more.
    assert (
        await _scalar(
            slack.db, "SELECT count(*) FROM update_post_orphan WHERE refused_at IS NOT NULL"
        )
        == 1
    )


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
