"""Introduction numbers count within each workspace: nobody learns how many introductions other
workspaces had, and "met 1" always means the asker's own workspace's first introduction."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta

from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.replies import Post, Reply

# Discord user ids are global, so the same people can be in both servers.
ACME = TenantRef(platform=Platform.DISCORD, tenant_id="G-acme", name="acme")
GLOBEX = TenantRef(platform=Platform.DISCORD, tenant_id="G-globex", name="globex")
GENERAL = ChannelRef(channel_id="C1", name="general")
TEAMS = {"U1": "payments", "U2": "search", "U3": "infra", "U4": "design"}
_events = itertools.count()


async def _replies(bot, clock, tenant: TenantRef, user: str, text: str) -> list[Reply]:
    return await bot.handle(
        CommandInvoked(
            event_id=f"e{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id=user, display_name=user),
            channel=GENERAL,
            occurred_at=clock.now(),
            command="narrate",
            text=text,
        )
    )


async def _say(bot, clock, tenant: TenantRef, user: str, text: str) -> str:
    return " ".join(r.text for r in await _replies(bot, clock, tenant, user, text))


async def _week(bot, clock, tenant: TenantRef, users: tuple[str, ...]) -> dict[int, Post]:
    """Everyone joins and narrates about kafka; this week's introductions by their number."""
    for user in users:
        await _say(bot, clock, tenant, user, f"team {TEAMS[user]}")
        await _say(bot, clock, tenant, user, "intros join")
        await _say(bot, clock, tenant, user, "kafka consumer lag on the ledger topic")
    posts = await bot.introductions.weekly(tenant=tenant, now=clock.now())
    return {int(re.match(r"Introduction #(\d+): ", p.text).group(1)): p for p in posts}


def _commands(post: Post) -> list[str]:
    return [b.command for b in post.buttons]


async def test_each_workspace_counts_its_own_introductions_from_one(bot, clock):
    acme = await _week(bot, clock, ACME, ("U1", "U2", "U3", "U4"))
    globex = await _week(bot, clock, GLOBEX, ("U1", "U2"))
    assert sorted(acme) == [1, 2]
    assert list(globex) == [1]  # not #3: acme's two introductions stay acme's business
    assert _commands(globex[1])[:2] == ["/narrate intros met 1", "/narrate intros not-useful 1"]

    clock.advance(timedelta(days=3))
    [follow] = await bot.introductions.follow_up(tenant=GLOBEX, now=clock.now())
    assert follow.text.startswith("Introduction #1: did you get to meet <@U1> and <@U2>?")
    assert "/narrate intros met 1)" in follow.text
    assert _commands(follow) == ["/narrate intros met 1", "/narrate intros not-useful 1"]

    [reply] = await _replies(bot, clock, GLOBEX, "U1", "export")
    assert reply.attachment is not None
    exported = json.loads(reply.attachment.content)["introductions"]["introductions"]
    assert [i["id"] for i in exported] == [1]


async def test_met_1_answers_for_the_askers_workspace_and_never_another(bot, clock):
    acme = await _week(bot, clock, ACME, ("U1", "U2", "U3", "U4"))
    [globex] = (await _week(bot, clock, GLOBEX, ("U1", "U2"))).values()
    assert set(globex.to_users) == {"U1", "U2"}
    outsider = next(u for u in TEAMS if u not in acme[1].to_users)

    assert "Glad you met" in await _say(bot, clock, GLOBEX, "U1", "intros met 1")
    assert "Nobody else is told" in await _say(bot, clock, GLOBEX, "U2", "intros not-useful 1")
    assert "Introduction #2 isn't one of yours." in await _say(
        bot, clock, GLOBEX, "U1", "intros met 2"
    )  # acme has a #2; globex doesn't
    assert "Introduction #1 isn't one of yours." in await _say(
        bot, clock, ACME, outsider, "intros met 1"
    )

    assert "1 happened" in await _say(bot, clock, GLOBEX, "U1", "stats")
    assert "0 happened" in await _say(bot, clock, ACME, "U1", "stats")
    clock.advance(timedelta(days=3))
    assert await bot.introductions.follow_up(tenant=GLOBEX, now=clock.now()) == []
    asked = await bot.introductions.follow_up(tenant=ACME, now=clock.now())
    assert sorted(p.text.split(":")[0] for p in asked) == ["Introduction #1", "Introduction #2"]
