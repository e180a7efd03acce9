"""What each answer shows (evidence with its link or channel, one line of why) and how platform
events about channels change it at once."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.events import (
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    MembershipChanged,
    UserRef,
)
from narrate_bot_adapters.console.adapter import TENANT

SECRET = ChannelRef(channel_id="secret", name="secret", kind=ChannelKind.PRIVATE)


def _command(clock, user: str, text: str, *, channel: ChannelRef, link: str | None = None):
    return CommandInvoked(
        event_id=f"{user}-{text}",
        tenant=TENANT,
        user=UserRef(user_id=user, display_name=user),
        channel=channel,
        occurred_at=clock.now(),
        command="narrate",
        text=text,
        link=link,
    )


async def test_evidence_links_to_the_message_when_the_platform_gave_a_link(chat, bot, clock):
    general = ChannelRef(channel_id="general", name="general")
    link = "https://example.slack.com/archives/C1/p1700000000000100"
    await bot.handle(
        _command(clock, "bob", "kafka consumer lag runbook", channel=general, link=link)
    )
    await chat.say("carol: /narrate kafka streams prototype")
    clock.advance(timedelta(days=3))
    out = await chat.say("zoe: /narrate who kafka")
    assert f"“kafka consumer lag runbook” (2026-11-23, {link})" in out
    assert "“kafka streams prototype” (2026-11-23, #general)" in out
    assert "narrated about kafka 1 time, last 3 days ago" in out


async def test_the_why_line_counts_each_word_only_where_it_was_written(chat, clock):
    await chat.say(
        "bob@payments: /narrate kafka brokers upgraded",
        "bob: /narrate kafka lag alerts",
        "bob: /narrate kafka topic cleanup",
    )
    clock.advance(timedelta(days=1))
    out = await chat.say("zoe: @narrate who knows about kafka lag?")
    # Three narrations mention kafka, one of them lag: not "kafka and lag 3 times".
    assert "@bob: narrated about kafka 3 times and lag 1 time, last yesterday; team payments" in out


async def test_a_path_is_counted_only_where_it_is_written(chat, clock):
    await chat.say(
        "alice: /narrate gopls/internal/golang: hover for generics",
        "alice: /narrate gopls/internal/cache: reduced memory",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say("zoe: @narrate who knows about gopls/internal/cache")
    why = next(line for line in out.splitlines() if "@alice:" in line)
    # One narration names the path. (SQLite also matches the other one's words, gopls and
    # internal, and says so; PostgreSQL indexes a path as one token, so there they don't match.)
    assert "gopls/internal/cache 1 time" in why and "gopls/internal/cache 2 times" not in why


async def test_the_newest_match_is_always_among_the_evidence(chat, clock):
    await chat.say("ann: /narrate kafka lag alerts tuned for the payments cluster")
    clock.advance(timedelta(days=1))
    await chat.say("ann: /narrate kafka lag dashboards")
    clock.advance(timedelta(days=20))
    await chat.say(
        "ann: /narrate long write-up of the quarterly platform review, with a note on kafka"
    )
    clock.advance(timedelta(days=3))
    out = await chat.say("zoe: /narrate who kafka lag")
    assert "@ann: narrated about kafka 3 times and lag 2 times, last 3 days ago" in out
    evidence = [line.strip() for line in out.splitlines() if "•" in line]
    # The newest first (it is the "last 3 days ago"), then the strongest other one.
    assert evidence[0].startswith("• “long write-up of the quarterly platform review")
    assert evidence[1].startswith("• “kafka lag dashboards”")
    assert len(evidence) == 2


async def test_a_public_answer_that_finds_nobody_points_to_a_private_one(chat, clock):
    await chat.say(
        ":channel #secret private alice,zoe",
        "alice in #secret: /narrate kafka migration plan",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say("zoe: @narrate who knows about kafka?")
    assert out.startswith("[#general thread] I couldn't find anyone")
    # Only what everyone in #general may read counts here; zoe alone may read #secret.
    assert "in places everyone here can read" in out and "places you can read" not in out
    assert out.index("/narrate who kafka") < out.index("open-questions channel")
    assert "@alice" in await chat.say("zoe: /narrate who kafka")
    private = await chat.say("zoe: /narrate who cobol")
    assert "in places you can read" in private and "/narrate who cobol" not in private


async def test_leaving_a_private_channel_removes_its_evidence_at_once(chat, bot, clock):
    await bot.handle(
        ChannelDescribed(
            tenant=TENANT, channel=SECRET, members=("alice", "carol"), occurred_at=clock.now()
        )
    )
    await bot.handle(_command(clock, "carol", "kafka relaunch plan", channel=SECRET))
    assert "relaunch" in await chat.say("alice: /narrate who kafka")
    await bot.handle(
        MembershipChanged(
            tenant=TENANT, channel=SECRET, user_id="alice", joined=False, occurred_at=clock.now()
        )
    )
    out = await chat.say("alice: /narrate who kafka")
    assert "relaunch" not in out and "@carol" not in out
    assert "relaunch" not in await chat.say("alice: /narrate profile @carol")
    assert "relaunch" not in await chat.say("alice: /narrate topics")
    await bot.handle(
        MembershipChanged(
            tenant=TENANT, channel=SECRET, user_id="alice", joined=True, occurred_at=clock.now()
        )
    )
    assert "relaunch" in await chat.say("alice: /narrate who kafka")


async def test_a_channel_turned_private_hides_its_evidence_from_outsiders(chat, bot, clock):
    await chat.say(":channel #infra public", "bob in #infra: /narrate kafka broker upgrade")
    assert "@bob" in await chat.say("zoe: /narrate who kafka")
    infra = ChannelRef(channel_id="infra", name="infra", kind=ChannelKind.PRIVATE)
    await bot.handle(
        ChannelDescribed(tenant=TENANT, channel=infra, members=("bob",), occurred_at=clock.now())
    )
    assert "@bob" not in await chat.say("zoe: /narrate who kafka")
