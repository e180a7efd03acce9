"""Discord: the weekly followed-topics DM re-checks private-channel access before it lists
anything from a private channel.

Without the members intent no event tells the bot that someone lost the role that let them
read a private channel, so the stored membership outlives it. The weekly introductions re-read
their participants' roles first (``AccessRefresher``); the followed-topics digest didn't, and
listed a private channel's narration to someone who could no longer read it.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
    bodies = [c.body for c in fake.posted(f"/channels/8{who['id']}/messages")]
    return " ".join(str(b.get("content") or "") for b in bodies)


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


async def test_ten_busy_topics_fit_in_a_few_dms_that_ping_nobody(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    """The same budget as on Slack (``MESSAGE_BUDGET``): every topic is there, in parts of at
    most 2,000 characters, and a narration's '@everyone' pings nobody."""
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
    assert 1 < len(bodies) <= 6, len(bodies)
    for body in bodies:
        assert len(str(body.get("content") or "")) <= 2000
        assert pinged(body) == set(), body.get("allowed_mentions")
    text = _dm_text(fake, CAROL)
    assert [t for t in topics if f"“{t}”" not in text] == []
    # What was left out to fit is counted, with Discord's command to see it.
    assert "… and 1 more this week: /whoknows topic: topic9" in text, text
