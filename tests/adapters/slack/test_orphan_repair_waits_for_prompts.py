"""Deleting orphaned update posts never holds back the prompts, through the real Bolt app and
slack_sdk against the fake Web API.

An older replica's forget-me of someone with many posted updates leaves their posts for this
version to delete (``features.orphan_posts``). Before, every scheduler wake-up deleted them
first, one ``chat.delete`` at a time and up to 50, and only then claimed and posted the due
prompts: with Slack slow (an outage, rate limits; slack_sdk waits up to 30 s a call), every
workspace's prompts went out minutes late. Now the prompts go first, and the deletes of one
wake-up stop after a few seconds; the rest are deleted at the next wake-ups.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import text

from narrate_bot.features import orphan_posts
from tests.adapters.slack.test_update_posts import _prompt_ts

ORPHAN = (
    "INSERT INTO update_post_orphan (tenant_id, channel_id, thread_of, message_id, attempts)"
    " SELECT id, 'C1', '1700000000.000001', :m, 0 FROM tenant"
)
ORPHANS = 8
DELAY = 0.3  # Slack answering each chat.delete slowly
BUDGET = 1.0


def _prompts(slack) -> list:
    return [c for c in slack.fake.called("chat.postMessage") if "work out loud" in str(c.params)]


async def test_prompts_go_out_before_orphaned_posts_are_deleted_a_few_at_a_time(slack, monkeypatch):
    monkeypatch.setattr(orphan_posts, "BUDGET_SECONDS", BUDGET, raising=False)
    await _prompt_ts(slack)
    async with slack.db.engine.begin() as conn:
        for n in range(ORPHANS):
            await conn.execute(text(ORPHAN), {"m": f"1600000000.{n:06d}"})
    slack.fake.delays["chat.delete"] = DELAY
    bot = slack.adapter.bot
    before = len(_prompts(slack))
    started = time.monotonic()
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    took = time.monotonic() - started
    prompts = _prompts(slack)
    assert len(prompts) == before + 1
    deletes = slack.fake.called("chat.delete")
    assert deletes, "the repair ran in the same wake-up"
    # The day's prompt went out first, not after the deletes.
    assert prompts[-1].at < deletes[0].at, (prompts[-1].at - started, len(deletes))
    # The wake-up stopped deleting at its budget; the rest wait.
    assert len(deletes) < ORPHANS, len(deletes)
    assert took < BUDGET + 2 * DELAY + 1.0, took
    # The next wake-ups, seconds later, delete the rest, each within its budget.
    for _ in range(ORPHANS):
        if len(slack.fake.called("chat.delete")) >= ORPHANS:
            break
        started = time.monotonic()
        await bot.run_due(bot.clock.now() + timedelta(seconds=5))
        assert time.monotonic() - started < BUDGET + 2 * DELAY + 1.0
    assert sorted(c.params["ts"] for c in slack.fake.called("chat.delete")) == [
        f"1600000000.{n:06d}" for n in range(ORPHANS)
    ]
    async with slack.db.engine.connect() as conn:
        left = (await conn.execute(text("SELECT count(*) FROM update_post_orphan"))).scalar()
    assert left == 0


async def test_a_delete_slack_never_answers_in_time_is_cut_off_and_tried_later(slack, monkeypatch):
    monkeypatch.setattr(orphan_posts, "BUDGET_SECONDS", BUDGET, raising=False)
    await _prompt_ts(slack)
    async with slack.db.engine.begin() as conn:
        await conn.execute(text(ORPHAN), {"m": "1600000000.000001"})
    slack.fake.delays["chat.delete"] = 4.0  # Slack hanging on it
    bot = slack.adapter.bot
    started = time.monotonic()
    await bot.run_due(bot.clock.now() + timedelta(seconds=5))
    took = time.monotonic() - started
    assert took < BUDGET + 1.0, took
    del slack.fake.delays["chat.delete"]
    await bot.run_due(bot.clock.now() + timedelta(minutes=3))  # after its 2 minutes' wait
    async with slack.db.engine.connect() as conn:
        left = (await conn.execute(text("SELECT count(*) FROM update_post_orphan"))).scalar()
    assert left == 0
    assert [c.params["ts"] for c in slack.fake.called("chat.delete")][-1] == "1600000000.000001"
