"""A never-pair wish and the servers or workspaces it holds in.

A Discord user id is one person in every server, so "I'll never introduce you to Q", said in
one server, holds in every server the bot shares with them (nobody is told either way). Slack
user ids only name one person within a workspace: the same id in another workspace may be
somebody else, so there the wish holds in its own workspace, and the reply says so.
"""

from __future__ import annotations

import itertools

from narrate_bot.events import ChannelKind, ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.replies import Post

_events = itertools.count()
GENERAL = ChannelRef(channel_id="C1", name="general", kind=ChannelKind.PUBLIC)
P, Q = "400000000000000001", "400000000000000002"


async def _say(bot, tenant: TenantRef, user_id: str, text: str) -> str:
    replies = await bot.handle(
        CommandInvoked(
            event_id=f"e{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id=user_id, display_name=user_id),
            channel=GENERAL,
            occurred_at=bot.clock.now(),
            command="narrate",
            text=text,
        )
    )
    return "\n".join(r.text for r in replies)


async def _pair_in(bot, tenant: TenantRef, p: str, q: str) -> None:
    for user_id, team in ((p, "red"), (q, "blue")):
        await _say(bot, tenant, user_id, f"team {team}")
        await _say(bot, tenant, user_id, "kafka consumer lag in the billing cluster")
        await _say(bot, tenant, user_id, "intros join")


def _groups(posts: list[Post]) -> list[tuple[str, ...]]:
    return [tuple(sorted(p.to_users)) for p in posts if p.to_users]


async def test_a_wish_made_in_one_discord_server_holds_in_the_others(bot, clock):
    a = TenantRef(platform=Platform.DISCORD, tenant_id="111", name="Guild A")
    b = TenantRef(platform=Platform.DISCORD, tenant_id="222", name="Guild B")
    for guild in (a, b):
        await _pair_in(bot, guild, P, Q)
    out = await _say(bot, a, P, f"never-pair <@{Q}>")
    assert out.startswith(f"Done: I'll never introduce you to <@{Q}>. Nobody is told")
    assert bot.introductions is not None
    assert await bot.introductions.weekly(tenant=a, now=clock.now()) == []
    assert await bot.introductions.weekly(tenant=b, now=clock.now()) == []


async def test_a_wish_made_in_one_slack_workspace_holds_there_alone(bot, clock):
    """U1 and U2 of one workspace are not U1 and U2 of another."""
    a = TenantRef(platform=Platform.SLACK, tenant_id="T1", name="acme")
    b = TenantRef(platform=Platform.SLACK, tenant_id="T2", name="globex")
    for workspace in (a, b):
        await _pair_in(bot, workspace, "U1", "U2")
    out = await _say(bot, a, "U1", "never-pair <@U2>")
    assert out.startswith("Done: I'll never introduce you to <@U2>. Nobody is told")
    assert "This holds in this workspace." in out
    assert bot.introductions is not None
    assert await bot.introductions.weekly(tenant=a, now=clock.now()) == []
    assert _groups(await bot.introductions.weekly(tenant=b, now=clock.now())) == [("U1", "U2")]
