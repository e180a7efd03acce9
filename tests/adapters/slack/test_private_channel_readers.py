"""A person removed from a private channel stops seeing its narrations, even when the bot
no longer hears of removals there, or another replica heard of this one."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr

from narrate_bot.app import Bot
from narrate_bot.config import SlackSettings
from narrate_bot_adapters.slack.app import SlackAdapter
from narrate_bot_adapters.slack.http import SlackHttpServer
from tests.adapters.slack.conftest import SECRET, TOKEN, SlackEnv, until

SECRET_TEXT = "rotated the ledger signing keys after the breach"


async def _asks(env: SlackEnv, user: str) -> str:
    """Who knows, asked in a public channel: only what the asker may read is evidence."""
    before = len(env.fake.responses)
    await env.command("who ledger signing keys", user=user, channel="C5", channel_name="general")
    await until(lambda: len(env.fake.responses) > before)
    await asyncio.sleep(0.1)
    return str(env.fake.responses[-1]["text"])


async def _narrates_in_secret(env: SlackEnv, text: str = SECRET_TEXT) -> None:
    before = len(env.fake.responses)
    await env.command(text, user="U1", channel="G1", channel_name="secret")
    await until(lambda: len(env.fake.responses) > before)


def _secret_channel(env: SlackEnv) -> None:
    env.fake.channels["G1"] = {"id": "G1", "name": "secret", "is_private": True}
    env.fake.members["G1"] = ["UBOT", "U1", "U2"]


async def test_a_reader_removed_after_the_bot_left_no_longer_sees_it(slack):
    _secret_channel(slack)
    await _narrates_in_secret(slack)
    assert "after the breach" in await _asks(slack, "U2")  # Bob reads #secret, for now
    await slack.event(
        {"type": "member_left_channel", "user": "UBOT", "channel": "G1", "channel_type": "G"},
        "Ev-bot-left",
    )
    # Bob is removed later; the bot is out, so Slack tells it nothing.
    slack.fake.members["G1"] = ["U1"]
    slack.fake.failures["conversations.info"] = "channel_not_found"
    slack.fake.failures["conversations.members"] = "not_in_channel"
    await asyncio.sleep(0.3)
    assert "after the breach" not in await _asks(slack, "U2")


async def test_members_slack_wont_list_any_more_are_forgotten(slack):
    _secret_channel(slack)
    await _narrates_in_secret(slack)
    # The bot is out of #secret (its removal event lost), and Bob left meanwhile.
    slack.fake.members["G1"] = ["U1"]
    slack.fake.failures["conversations.members"] = "not_in_channel"
    await _narrates_in_secret(slack, "more on the signing keys")
    assert "after the breach" not in await _asks(slack, "U2")


async def test_the_bot_added_back_reads_the_channel_afresh(slack):
    _secret_channel(slack)
    await _narrates_in_secret(slack)
    await slack.event(
        {"type": "member_left_channel", "user": "UBOT", "channel": "G1", "channel_type": "G"},
        "Ev-bot-left",
    )
    await asyncio.sleep(0.3)
    assert "after the breach" not in await _asks(slack, "U2")
    slack.fake.members["G1"] = ["UBOT", "U1", "U2"]
    await slack.event(
        {"type": "member_joined_channel", "user": "UBOT", "channel": "G1", "channel_type": "G"},
        "Ev-bot-back",
    )
    await asyncio.sleep(0.3)
    assert "after the breach" in await _asks(slack, "U2")


async def test_a_removal_heard_by_another_replica_stays_removed(slack, bot: Bot):
    settings = SlackSettings(
        bot_token=SecretStr(TOKEN),
        signing_secret=SecretStr(SECRET),
        api_url=slack.fake.base_url,
        workspace_rate_per_minute=60_000,
    )
    other = SlackAdapter(bot, settings)
    runner, port = await SlackHttpServer(other, SECRET).start("127.0.0.1", 0)
    try:
        replica_b = SlackEnv(
            slack.fake, other, slack.http, f"http://127.0.0.1:{port}/slack/events", slack.db
        )
        _secret_channel(slack)
        await _narrates_in_secret(slack)  # replica A reads #secret's members
        slack.fake.members["G1"] = ["UBOT", "U1"]
        await replica_b.event(
            {"type": "member_left_channel", "user": "U2", "channel": "G1", "channel_type": "G"},
            "Ev-bob-left",
        )
        await asyncio.sleep(0.3)
        await _narrates_in_secret(slack, "more on the signing keys")  # replica A again
        assert "after the breach" not in await _asks(slack, "U2")
    finally:
        await runner.cleanup()
        await other.drain()
