"""Slack: an introduction whose post Slack refused reached nobody, so nobody is asked how it
went, ``met`` on it records nothing and says why, and ``/narrate stats`` counts no introduction
(happened never exceeds suggested). Through the real Bolt app and slack_sdk against the local
mock Web API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_an_introduction_slack_refused_is_not_answered_about(slack):
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["CINTRO"] = {"id": "CINTRO", "name": "intros", "is_channel": True}
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payroll", "is_channel": True}
    await _said(slack, "intros channel here", channel="CINTRO", channel_name="intros")
    await _said(slack, "intros delivery channel", channel="CINTRO", channel_name="intros")
    here = {"channel": "CPUB", "channel_name": "payroll"}
    for user in ("U2", "U3"):
        await _said(slack, "intros join", user=user, **here)
        await _said(slack, "kafka consumer lag", user=user, **here)
    slack.fake.failures["chat.postMessage"] = "channel_not_found"
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    del slack.fake.failures["chat.postMessage"]
    async with slack.db.engine.connect() as conn:
        sends = (
            await conn.execute(text("SELECT status FROM schedule_send WHERE part LIKE 'post-%'"))
        ).all()
    assert [s for (s,) in sends] == ["failed"]

    mine = await _said(slack, "intros mine", user="U2", **here)
    assert "#1 (" in mine and "<@U3>" in mine
    assert "how did it go?" not in mine and "hasn't reached you or them" in mine
    met = await _said(slack, "intros met 1", user="U2", **here)
    assert "Glad you met" not in met and "hasn't reached you or them" in met
    async with slack.db.engine.connect() as conn:
        answers = (await conn.execute(text("SELECT count(*) FROM intro_feedback"))).scalar_one()
    assert answers == 0
    stats = await _said(slack, "stats", user="U2", **here)
    assert stats.startswith("No introductions yet."), stats
