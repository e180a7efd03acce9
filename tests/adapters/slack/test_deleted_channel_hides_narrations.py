"""A narration written in a public channel that was deleted is no longer shown to anyone.

Before, Slack's ``channel_deleted`` closed the open questions posted there and nothing else:
what people had narrated in the channel was still quoted in who-knows answers, topics and
profiles, as if the channel could still be read. Discord already hid a deleted channel's
narrations; now both go through the core's handling of ``ChannelDeleted`` (kept, hidden: the
channel is read by nobody). Events come signed into the real Bolt app.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Channel
from tests.adapters.slack.conftest import SlackEnv, eventually, until

SECRET = "zanzibar rollout plan"


async def _said(slack: SlackEnv, text: str, user: str = "U2") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user, channel="CGEN", channel_name="general")
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _kind(slack: SlackEnv) -> str:
    async with slack.db.transaction() as s:
        return (await s.exec(select(Channel.kind).where(Channel.channel_id == "CPLAN"))).one()


async def test_a_deleted_public_channel_narrations_are_no_longer_shown(slack):
    slack.fake.channels["CPLAN"] = {"id": "CPLAN", "name": "planning"}
    await slack.command(f"{SECRET} drafted", user="U1", channel="CPLAN", channel_name="planning")
    await until(lambda: slack.fake.responses)
    assert SECRET in await _said(slack, "who zanzibar")
    assert "zanzibar" in await _said(slack, "topics")
    assert "zanzibar" in await _said(slack, "profile <@U1>")

    status, _, _ = await slack.event(
        {"type": "channel_deleted", "channel": "CPLAN", "event_ts": "1763800100.1"}, "Ev-del-c"
    )
    assert status == 200

    async def hidden() -> bool:
        return await _kind(slack) == "private"

    await eventually(hidden)
    assert SECRET not in await _said(slack, "who zanzibar")
    assert "zanzibar" not in await _said(slack, "topics")
    assert "zanzibar" not in await _said(slack, "profile <@U1>")
    # Its author still sees their own narration: hidden from others, nothing erased.
    assert await slack.narration_count() == 1
