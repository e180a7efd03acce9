"""Editing posts that quote or name someone never holds back the prompts, through the real Bolt
app and slack_sdk against the fake Web API.

A deleted narration's line in followed-topics DMs (``features.narration_copies``) and a
forgotten person's name in an introductions channel post (``features.intro_posts``) are edited
by the scheduler's wake-ups until Slack confirms. Before, every wake-up made those
``chat.update`` calls first, one at a time and up to 50 each, and only then claimed and posted
the due prompts: with Slack slow (slack_sdk waits up to 30 s a call), every workspace's prompts
went out late. Now the prompts go first, the edits of one wake-up stop after a few seconds, and
one Slack never answers in time is cut off and made again at a later wake-up.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import text

from narrate_bot.features import intro_posts, narration_copies, repair_pace
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_intro_post_follows_forget_me import _forget_u2, _introduced

SECRET = "tuned the kafka consumer lag alerts, hunter2 is the password"
FOLLOWERS = ("U1", "U3", "U4")
DELAY = 0.6  # Slack answering each chat.update slowly
HUNG = 4.0  # Slack hanging on a chat.update
BUDGET = 1.0


async def _said(slack: SlackEnv, said: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(said, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


def _prompts(slack: SlackEnv) -> list:
    return [c for c in slack.fake.called("chat.postMessage") if "work out loud" in str(c.params)]


def _edits(slack: SlackEnv, since: float) -> list:
    return [c for c in slack.fake.calls if c.method == "chat.update" and c.at >= since]


async def _schedule(slack: SlackEnv) -> None:
    """A daily prompt in #team at 09:30 UTC (the next one after the clock)."""
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    assert "09:30" in await _said(slack, "schedule #team daily 09:30 UTC", channel_name="team")


async def _quoted_then_deleted(slack: SlackEnv, followers: tuple[str, ...]) -> None:
    """Each follower's Monday DM quotes U2's narration, which U2 then deletes while Slack
    refuses ``chat.update``: the DMs' edits are left to the scheduler."""
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    for user in followers:
        assert "Following kafka." in await _said(slack, "follow kafka", user=user)
    await _said(slack, SECRET, user="U2")
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(hours=2))  # Monday 10:00 UTC
    dms = [c for c in slack.fake.called("chat.postMessage") if c.params["channel"] in followers]
    assert len(dms) == len(followers) and "hunter2" in str(dms[0].params)
    await _schedule(slack)
    slack.fake.failures["chat.update"] = "internal_error"
    assert "still show" in await _said(slack, "delete 1", user="U2")
    del slack.fake.failures["chat.update"]


async def _copies_due(slack: SlackEnv) -> int:
    async with slack.db.engine.connect() as conn:
        query = "SELECT count(*) FROM narration_copy WHERE retry_at IS NOT NULL"
        return int((await conn.execute(text(query))).scalar_one())


async def test_prompts_go_out_before_followed_topics_dms_are_edited(slack, monkeypatch):
    monkeypatch.setattr(narration_copies, "BUDGET_SECONDS", BUDGET, raising=False)
    await _quoted_then_deleted(slack, FOLLOWERS)
    slack.fake.delays["chat.update"] = DELAY
    bot = slack.adapter.bot
    before = len(_prompts(slack))
    started = time.monotonic()
    await bot.run_due(bot.clock.now() + timedelta(days=1))  # 09:30: a prompt; the edits
    prompts = _prompts(slack)
    assert len(prompts) == before + 1
    edits = _edits(slack, started)
    assert edits, "the edits ran in the same wake-up"
    # The day's prompt went out first, not after the edits.
    assert prompts[-1].at < edits[0].at, (prompts[-1].at - started, len(edits))
    # The wake-up stopped editing at its budget; the rest wait.
    # (Each edit takes DELAY, so past the first two the budget is spent, however fast the rest.)
    assert len(edits) < len(FOLLOWERS), len(edits)
    # The next wake-ups edit the rest. Each is past the longest wait: on a loaded machine an
    # edit may run past the budget too, be cut off and wait its turn.
    for _ in range(10):
        if not await _copies_due(slack):
            break
        await bot.run_due(bot.clock.now() + repair_pace.LONGEST_WAIT + timedelta(minutes=1))
    assert await _copies_due(slack) == 0
    edited = _edits(slack, 0.0)[-len(FOLLOWERS) :]
    assert all("removed by its author" in str(c.params) for c in edited), edited
    assert not any("hunter2" in str(c.params) for c in edited)


async def test_a_dm_edit_slack_never_answers_in_time_is_cut_off_and_made_later(slack, monkeypatch):
    monkeypatch.setattr(narration_copies, "BUDGET_SECONDS", BUDGET, raising=False)
    await _quoted_then_deleted(slack, ("U1",))
    slack.fake.delays["chat.update"] = HUNG
    bot = slack.adapter.bot
    before = len(_prompts(slack))
    started = time.monotonic()
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    assert len(_prompts(slack)) == before + 1
    assert _prompts(slack)[-1].at < _edits(slack, started)[0].at
    # Cut off at the budget: waited for, Slack's answer (after HUNG) would have edited it.
    assert await _copies_due(slack) == 1
    del slack.fake.delays["chat.update"]
    await bot.run_due(bot.clock.now() + timedelta(minutes=5))  # its 2nd wait: 4 minutes
    assert await _copies_due(slack) == 0
    last = _edits(slack, 0.0)[-1]
    assert last.params["channel"] == "DU1" and "removed by its author" in str(last.params)


async def test_an_intro_post_edit_slack_never_answers_in_time_waits_for_the_prompts(
    slack, monkeypatch
):
    monkeypatch.setattr(intro_posts, "BUDGET_SECONDS", BUDGET, raising=False)
    ts = await _introduced(slack)  # Tuesday 08:00 UTC
    await _schedule(slack)
    slack.fake.failures["chat.update"] = "internal_error"
    assert "couldn't edit an introduction's post" in await _forget_u2(slack)
    del slack.fake.failures["chat.update"]
    slack.fake.delays["chat.update"] = HUNG
    bot = slack.adapter.bot
    before = len(_prompts(slack))
    started = time.monotonic()
    await bot.run_due(bot.clock.now() + timedelta(hours=3))  # 09:30's prompt, the post's edit
    prompts = _prompts(slack)
    assert len(prompts) == before + 1
    edits = _edits(slack, started)
    assert edits and prompts[-1].at < edits[0].at, (prompts[-1].at - started, len(edits))
    async with slack.db.engine.connect() as conn:
        query = "SELECT count(*) FROM intro_post WHERE retract_at IS NOT NULL"
        assert (await conn.execute(text(query))).scalar_one() == 1  # cut off: still due
    del slack.fake.delays["chat.update"]
    await bot.run_due(bot.clock.now() + timedelta(minutes=5))  # its 2nd wait: 4 minutes
    async with slack.db.engine.connect() as conn:
        assert (await conn.execute(text(query))).scalar_one() == 0
    last = _edits(slack, 0.0)[-1]
    assert last.params["ts"] == ts and "<@U2>" not in str(last.params)
    assert "someone who has since left" in str(last.params["text"])
