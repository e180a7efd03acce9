"""Before a weekly digest is built, Slack is asked whether the channel is shared with another
organisation, rather than trusting the stored flag: a channel shared while the app wasn't
subscribed to ``channel_shared`` (a manifest not pasted again), stored by an older version
during a rolling deploy, or before migration 0010, would otherwise be shown the workspace's
public work. An internal channel stored as shared (a failed lookup, migration 0022) gets the
workspace's public work again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, until


async def _digest_in(slack: SlackEnv, channel_id: str, name: str) -> None:
    """A private channel with a Friday digest, and a public narration elsewhere this week."""
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels[channel_id] = {
        "id": channel_id,
        "name": name,
        "is_channel": True,
        "is_private": True,
    }
    slack.fake.members[channel_id] = ["U1"]
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payroll", "is_channel": True}
    await slack.command("schedule digest on fri 16:00 UTC", channel=channel_id, channel_name=name)
    await until(lambda: slack.fake.responses)
    assert "weekly digest" in slack.fake.responses[-1]["text"], slack.fake.responses[-1]
    await slack.command("join", user="U2", channel="CPUB", channel_name="payroll")
    await slack.command(
        "rotated the kafka certificates for the payroll cluster",
        user="U2",
        channel="CPUB",
        channel_name="payroll",
    )
    await until(lambda: len(slack.fake.responses) >= 3)


async def _posted_into(slack: SlackEnv, channel_id: str) -> list[str]:
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=5))
    return [
        str(c.params.get("text"))
        for c in slack.fake.called("chat.postMessage")
        if c.params.get("channel") == channel_id
    ]


async def _stored_shared(slack: SlackEnv, channel_id: str) -> bool:
    async with slack.db.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT shared FROM channel WHERE channel_id = :c"), {"c": channel_id}
        )
        return bool(row.scalar_one())


async def test_a_channel_shared_without_the_event_reaching_us_gets_no_internal_digest(slack):
    await _digest_in(slack, "CPART", "partner")
    assert not await _stored_shared(slack, "CPART")
    slack.fake.channels["CPART"]["is_ext_shared"] = True  # no channel_shared event came
    assert await _posted_into(slack, "CPART") == []  # nothing narrated there: a quiet week
    assert await _stored_shared(slack, "CPART")


async def test_a_channel_slack_cant_describe_counts_as_shared(slack):
    await _digest_in(slack, "CPART", "partner")
    slack.fake.failures["conversations.info"] = "channel_not_found"
    assert await _posted_into(slack, "CPART") == []


async def test_an_internal_channel_stored_as_shared_gets_the_workspaces_public_work(slack):
    await _digest_in(slack, "GTEAM", "team")
    async with slack.db.engine.begin() as conn:
        await conn.execute(text("UPDATE channel SET shared = true WHERE channel_id = 'GTEAM'"))
    [volume, thread] = await _posted_into(slack, "GTEAM")
    assert "This week, as #team can see it: 1 narration" in volume, volume
    assert not await _stored_shared(slack, "GTEAM")


async def test_an_introductions_channel_shared_without_the_event_gets_no_topics(slack):
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["CINTRO"] = {"id": "CINTRO", "name": "intros", "is_channel": True}
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payroll", "is_channel": True}
    await slack.command("intros channel here", channel="CINTRO", channel_name="intros")
    for user in ("U2", "U3"):
        await slack.command("intros join", user=user, channel="CPUB", channel_name="payroll")
        await slack.command("kafka consumer lag", user=user, channel="CPUB", channel_name="payroll")
    await until(lambda: len(slack.fake.responses) >= 5)
    slack.fake.channels["CINTRO"]["is_ext_shared"] = True  # no channel_shared event came
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    [posted] = [
        str(c.params.get("text"))
        for c in slack.fake.called("chat.postMessage")
        if c.params.get("channel") == "CINTRO"
    ]
    assert "Introduction" in posted and "kafka" not in posted, posted
    assert await _stored_shared(slack, "CINTRO")
