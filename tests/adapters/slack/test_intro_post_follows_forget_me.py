"""Slack: after forget-me, the introduction's post in the introductions channel is edited with
``chat.update`` (on the ``ts`` ``chat.postMessage`` answered) to name only who is left, through
the real Bolt app and slack_sdk against the local mock Web API; a ``chat.update`` Slack refuses
is tried again by the scheduler until it goes through."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _introduced(slack: SlackEnv) -> str:
    """U2 and U3 introduced in #intros; the post's ``ts``."""
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["CINTRO"] = {"id": "CINTRO", "name": "intros", "is_channel": True}
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payroll", "is_channel": True}
    await _said(slack, "intros channel here", channel="CINTRO", channel_name="intros")
    await _said(slack, "intros delivery channel", channel="CINTRO", channel_name="intros")
    for user in ("U2", "U3"):
        await _said(slack, "intros join", user=user, channel="CPUB", channel_name="payroll")
        await _said(slack, "kafka consumer lag", user=user, channel="CPUB", channel_name="payroll")
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    [posted] = [
        c for c in slack.fake.called("chat.postMessage") if c.params.get("channel") == "CINTRO"
    ]
    assert "<@U2>" in str(posted.params) and "kafka" in str(posted.params), posted.params
    # The fake answers each chat.postMessage with the next ts: this post's is its place.
    answered = [c for c in slack.fake.called("chat.postMessage") if c.error is None]
    ts = f"1700000000.{answered.index(posted) + 1:06d}"
    async with slack.db.engine.connect() as conn:
        kept = (await conn.execute(text("SELECT message_id FROM intro_post"))).scalar_one()
    assert kept == ts
    return ts


async def _forget_u2(slack: SlackEnv) -> str:
    await _said(slack, "forget-me", user="U2", channel="CPUB", channel_name="payroll")
    return await _said(
        slack, "forget-me confirm", user="U2", channel="CPUB", channel_name="payroll"
    )


async def test_forget_me_edits_the_introductions_channel_post(slack):
    ts = await _introduced(slack)
    told = await _forget_u2(slack)
    assert "Done: I erased everything about you" in told and "introductions channel" not in told
    [edit] = slack.fake.called("chat.update")
    assert edit.params["channel"] == "CINTRO" and edit.params["ts"] == ts
    assert "<@U2>" not in str(edit.params) and "kafka" not in str(edit.params)
    assert "<@U3>" in str(edit.params["text"])
    assert "someone who has since left" in str(edit.params["text"])


async def test_a_refused_update_is_tried_again_by_the_scheduler(slack):
    ts = await _introduced(slack)
    slack.fake.failures["chat.update"] = "internal_error"
    told = await _forget_u2(slack)
    assert "I couldn't edit an introduction's post in the introductions channel yet" in told
    del slack.fake.failures["chat.update"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(minutes=3))
    edits = slack.fake.called("chat.update")
    assert edits[-1].params["ts"] == ts and "<@U2>" not in str(edits[-1].params), edits
    assert "someone who has since left" in str(edits[-1].params["text"])
