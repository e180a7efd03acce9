"""Discord: the weekly followed-topics DM re-checks private-channel access before it lists
anything from a private channel.

Without the members intent no event tells the bot that someone lost the role that let them
read a private channel, so the stored membership outlives it. The weekly introductions re-read
their participants' roles first (``AccessRefresher``); the followed-topics digest didn't, and
listed a private channel's narration to someone who could no longer read it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.events import Platform
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, CAROL, GENERAL, SECRET, FakeDiscord, pinged

MONDAY = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def _follow(fake: FakeDiscord, who: dict[str, Any], topic: str) -> None:
    data = {
        "id": "6000",
        "name": "narrate-topics",
        "type": 1,
        "options": [
            {"name": "follow", "type": 1, "options": [{"name": "topic", "type": 3, "value": topic}]}
        ],
    }
    await fake.answer(await fake.interaction(2, data, who=who))


def _dm_text(fake: FakeDiscord, who: dict[str, Any]) -> str:
    """What the person's DMs say (a message's content, or its embed's description), as sent."""
    calls = fake.posted(f"/channels/8{who['id']}/messages")
    said = [
        str(c.body.get("content") or "")
        + "".join(str(e.get("description") or "") for e in c.body.get("embeds") or [])
        for c in calls
        if c.status == 200
    ]
    return " ".join(said)


async def _week(fake: FakeDiscord, bot: Bot, clock: ManualClock) -> None:
    """carol (who reads #secret through the keepers role) follows kafka; in the week alice
    narrates about kafka in #general and in #secret."""
    await _slash(fake, "narrate", who=CAROL, channel=SECRET, text="carol reads secret")
    await _follow(fake, CAROL, "kafka")
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text="kafka consumer lag fixed")
    await _slash(fake, "narrate", who=ALICE, channel=SECRET, text="zanzibar kafka acquisition")


async def test_a_private_channel_lost_unseen_is_not_in_the_digest(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    await _week(fake, bot, clock)
    fake.roles[CAROL["id"]] = []  # carol loses the keepers role; no event says so
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    text = _dm_text(fake, CAROL)
    assert "New this week about the topics you follow" in text, text
    assert "kafka consumer lag fixed" in text, text
    assert "zanzibar" not in text, text
    # One re-read of carol's roles, before the digest was written.
    member_reads = [c for c in fake.calls if c.path.endswith(f"/members/{CAROL['id']}")]
    assert len(member_reads) == 1, [c.path for c in fake.calls]


async def test_a_private_channel_still_read_stays_in_the_digest(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    await _week(fake, bot, clock)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    text = _dm_text(fake, CAROL)
    assert "kafka consumer lag fixed" in text, text
    assert "zanzibar kafka acquisition" in text and "#secret, private" in text, text


async def test_when_access_cant_be_rechecked_nothing_private_is_listed(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await connect(bot)
    await _week(fake, bot, clock)
    gateway = bot.gateways[Platform.DISCORD]

    async def unavailable(*_: object) -> None:
        raise LookupError("the server isn't available to re-check access in")

    monkeypatch.setattr(gateway, "refresh_access", unavailable)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    text = _dm_text(fake, CAROL)
    assert "kafka consumer lag fixed" in text, text
    assert "zanzibar" not in text, text


async def test_ten_busy_topics_fit_in_one_dm_that_pings_nobody(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    """Ten busy topics came as five messages of 2,000 characters: when a later one failed, the
    follower kept the first topics and the week was recorded failed, and a retry would have
    sent the first ones again. The digest is now built to be one Discord message (an embed of
    up to 4,096 characters, ``ports.OneMessage``): every topic is there, what was left out to
    fit is counted with the command to see it, and a narration's '@everyone' pings nobody."""
    await connect(bot)
    topics = [f"topic{i}" for i in range(10)]
    await _slash(fake, "narrate", who=CAROL, channel=GENERAL, text="carol joins")
    for topic in topics:
        await _follow(fake, CAROL, topic)
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    for topic in topics:
        for n in range(5):
            text = f"{topic} work item {n} @everyone " + "long words about it " * 30
            await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text=text)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    bodies = [c.body for c in fake.posted(f"/channels/8{CAROL['id']}/messages")]
    assert len(bodies) == 1, [str(b)[:80] for b in bodies]
    assert pinged(bodies[0]) == set(), bodies[0].get("allowed_mentions")
    text = _dm_text(fake, CAROL)
    assert len(text) <= 4096
    assert [t for t in topics if f"“{t}”" not in text] == []
    assert "work item 4" in text  # narrations are listed, not only the topics
    assert "… and 4 more this week: /whoknows topic: topic9" in text, text


async def test_a_digest_discord_refused_is_sent_whole_later_that_day(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    """A digest whose DM Discord refused (429 after discord.py's own retries) was recorded
    failed and never sent: that week the follower got nothing. Discord answered and made
    nothing (``ports.NotPosted``), so it is tried again ten minutes later, whole and once."""
    from sqlmodel import select

    from narrate_bot.storage.follow_tables import FollowDigest

    await connect(bot)
    await _slash(fake, "narrate", who=CAROL, channel=GENERAL, text="carol joins")
    for topic in ("kafka", "ledger", "billing"):
        await _follow(fake, CAROL, topic)
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    for topic in ("kafka", "ledger", "billing"):
        for n in range(5):
            text = f"{topic} change {n} " + "with a few more words about it " * 8
            await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text=text)
    limited = {"message": "You are being rate limited.", "retry_after": 0.01, "global": False}
    fake.fail("POST", rf"/channels/8{CAROL['id']}/messages", 429, limited, times=5)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    assert _dm_text(fake, CAROL) == ""
    later = MONDAY + timedelta(minutes=10)  # follow_digest.RETRY_AFTER[0]
    clock.set(later)
    await tick(bot, later)
    text = _dm_text(fake, CAROL)
    assert text.count("New this week about the topics you follow:") == 1, text
    assert all(f"“{t}”" in text for t in ("kafka", "ledger", "billing")), text
    clock.set(later + timedelta(hours=2))
    await tick(bot, later + timedelta(hours=2))
    assert _dm_text(fake, CAROL) == text  # not again
    async with bot.db.transaction() as session:
        rows = (await session.exec(select(FollowDigest))).all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 2)]
