"""Slack: a form update's post behind an older replica's edit that Slack refuses to edit for good
(``cant_update_message``) is logged once and tried again a week on, not every six hours with a
warning each time, and is edited at the next wake-up once the app is added to the channel again.
Through the real Bolt app and slack_sdk against the local mock Web API, as the other repairs'
refusals (orphaned posts, messages quoting narrations, digests' lines, introductions' posts)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import text

from tests.adapters.slack.test_edits_due_when_the_app_is_back import OLD_EDIT, _app_back, _updates
from tests.adapters.slack.test_update_posts import _posted_in, _prompt_ts, _submit

WARNING = "an update post can't be edited to its narration"


async def test_a_refused_update_post_edit_is_logged_once_and_tried_weekly(slack, caplog):
    caplog.set_level(logging.WARNING, logger="narrate_bot.features.update_post_resync")
    thread = await _prompt_ts(slack)
    assert "Posted in the prompt's thread" in await _submit(slack, "shipped the ledger importer")
    [_post] = _posted_in(slack, thread)
    [narration] = await slack.narrations()
    async with slack.db.engine.begin() as conn:  # an older replica's /narrate edit
        await conn.execute(text(OLD_EDIT), {"narration": narration.id})
    slack.fake.failures["chat.update"] = "cant_update_message"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await bot.run_due(now)
    assert _updates(slack, "C1") == ["cant_update_message"]
    for hours in (6, 12, 24, 6 * 24):  # not every six hours (the back-off's longest wait)
        await bot.run_due(now + timedelta(hours=hours, minutes=1))
    assert _updates(slack, "C1") == ["cant_update_message"]
    await bot.run_due(now + timedelta(days=7, minutes=1))  # a week on
    assert _updates(slack, "C1") == ["cant_update_message"] * 2
    warned = [r for r in caplog.records if r.getMessage().startswith(WARNING)]
    assert len(warned) == 1, [r.getMessage() for r in caplog.records]  # logged once
    assert "ledger" not in caplog.text  # the platform's code, never the narration's words

    del slack.fake.failures["chat.update"]
    await _app_back(slack, "C1", "SELECT count(*) FROM update_post WHERE resync_at < :early")
    await bot.run_due(now + timedelta(days=7, minutes=2))  # the next wake-up, not a week later
    assert _updates(slack, "C1") == ["cant_update_message"] * 2 + [None]
    assert "shipped the ledger exporter" in str(slack.fake.called("chat.update")[-1].params)
