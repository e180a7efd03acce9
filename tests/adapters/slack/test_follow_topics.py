"""Slack: ``/narrate follow kafka`` through the real Bolt app (signed requests), then the weekly
DM through its Web API client: one ``chat.postMessage`` to the follower, listing a colleague's
narration from a public channel and leaving out one from a private channel the follower isn't
in; nobody else gets one."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_follow_then_one_dm_a_week_later(slack):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    slack.fake.channels["G9"] = {"id": "G9", "name": "secret", "is_private": True}
    assert "Following kafka." in await _said(slack, "follow kafka")
    await _said(slack, "tuned the kafka consumer lag alerts", user="U2")
    await _said(
        slack, "rotated the kafka acl certificates", user="U2", channel="G9", channel_name="secret"
    )
    bot = slack.adapter.bot
    # No zone anywhere: Mondays 09:00 UTC; the clock starts on Monday 08:00 UTC.
    await bot.run_due(bot.clock.now() + timedelta(days=7, hours=2))
    dms = [c.params for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    assert len(dms) == 1, dms
    text = str(dms[0]["text"])
    assert "New this week about the topics you follow" in text, text
    assert "tuned the kafka consumer lag alerts" in text
    assert "acl certificates" not in text
    assert "/narrate unfollow kafka" in text
    assert not [c for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U2"]


async def test_ten_busy_topics_all_reach_the_follower_within_one_message(slack):
    """Ten followed topics with five long narrations each used to make a DM longer than one
    Slack message holds: it was cut ('the rest is cut to fit in Slack') after the sixth topic,
    the week was recorded as sent, and the last four topics never reached the follower. Now
    every topic keeps its header, narrations are left out evenly across topics, and each topic
    with more says how many and where to find them."""
    import json

    from sqlalchemy import text as sql

    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    topics = ["kafka", "ledger", "flink", "billing", "search", "oncall", "docker", "terraform",
              "grafana", "postgres"]  # fmt: skip
    assert "Following" in await _said(slack, "follow " + ", ".join(topics))
    for topic in topics:
        for n in range(5):
            await _said(
                slack,
                f"{topic} change {n}: " + "rolled out the new configuration & checked it " * 4,
                user="U2",
            )
    bot = slack.adapter.bot
    # Narrations said in a channel keep Slack's permalink (these were slash commands).
    async with bot.db.transaction() as session:
        await session.exec(
            sql(
                "UPDATE narration SET link = 'https://acme-corp.slack.com/archives/"
                "C01ABCDEF23/p1732358400123456'"
            )
        )
    await bot.run_due(bot.clock.now() + timedelta(days=7, hours=2))
    [dm] = [c.params for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    blocks = json.dumps(dm["blocks"], ensure_ascii=False)
    assert "the rest is cut" not in blocks
    assert [t for t in topics if f"“{t}”" not in blocks] == []
    for topic in topics:  # each topic lists some of its narrations and points to the rest
        assert f"{topic} change 4" in blocks, topic
        assert f"more this week: /narrate who {topic}" in blocks, topic


async def test_a_digest_slack_refused_is_sent_later_that_day_once(slack):
    """Slack answered the Monday DM with an error ('ratelimited': it took nothing), and
    the week was recorded failed: no digest that week. It is tried again 10 minutes later, and
    sent once."""
    from sqlalchemy import text as sql

    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    assert "Following kafka." in await _said(slack, "follow kafka")
    await _said(slack, "tuned the kafka consumer lag alerts", user="U2")
    bot = slack.adapter.bot
    monday = bot.clock.now() + timedelta(hours=1)  # 09:00 UTC, the day she followed
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    await bot.run_due(monday + timedelta(minutes=5))
    del slack.fake.failures["chat.postMessage"]
    await bot.run_due(monday + timedelta(hours=3))
    dms = [
        c
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == "U1" and c.error is None
    ]
    assert len(dms) == 1, dms
    assert "tuned the kafka consumer lag alerts" in str(dms[0].params["text"])
    async with bot.db.engine.connect() as conn:
        rows = (await conn.execute(sql("SELECT status, attempts FROM follow_digest"))).all()
    assert [tuple(r) for r in rows] == [("sent", 2)]
