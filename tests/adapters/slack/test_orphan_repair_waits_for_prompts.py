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

from narrate_bot.features import orphan_posts, repair_pace
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
    prompts = _prompts(slack)
    assert len(prompts) == before + 1
    deletes = slack.fake.called("chat.delete")
    assert deletes, "the repair ran in the same wake-up"
    # The day's prompt went out first, not after the deletes.
    assert prompts[-1].at < deletes[0].at, (prompts[-1].at - started, len(deletes))
    # The wake-up stopped deleting at its budget; the rest wait.
    # (Each delete takes DELAY, so the budget is spent long before all ORPHANS, however fast
    # the rest.)
    assert len(deletes) < ORPHANS, len(deletes)
    # The next wake-ups delete the rest. Each is past the longest wait: on a loaded machine a
    # delete may run past the budget too, be cut off and be made again later.
    for _ in range(2 * ORPHANS):
        async with slack.db.engine.connect() as conn:
            left = (await conn.execute(text("SELECT count(*) FROM update_post_orphan"))).scalar()
        if not left:
            break
        await bot.run_due(bot.clock.now() + repair_pace.LONGEST_WAIT + timedelta(minutes=1))
    assert left == 0
    assert {c.params["ts"] for c in slack.fake.called("chat.delete")} == {
        f"1600000000.{n:06d}" for n in range(ORPHANS)
    }


async def test_a_delete_slack_never_answers_in_time_is_cut_off_and_tried_later(slack, monkeypatch):
    monkeypatch.setattr(orphan_posts, "BUDGET_SECONDS", BUDGET, raising=False)
    await _prompt_ts(slack)
    async with slack.db.engine.begin() as conn:
        await conn.execute(text(ORPHAN), {"m": "1600000000.000001"})
    slack.fake.delays["chat.delete"] = 4.0  # Slack hanging on it
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(seconds=5))
    async with slack.db.engine.connect() as conn:
        left = (await conn.execute(text("SELECT count(*) FROM update_post_orphan"))).scalar()
    assert left == 1  # cut off at the budget: waited for, Slack's answer would have deleted it
    del slack.fake.delays["chat.delete"]
    await bot.run_due(bot.clock.now() + timedelta(minutes=3))  # after its 2 minutes' wait
    async with slack.db.engine.connect() as conn:
        left = (await conn.execute(text("SELECT count(*) FROM update_post_orphan"))).scalar()
    assert left == 0
    assert [c.params["ts"] for c in slack.fake.called("chat.delete")][-1] == "1600000000.000001"
