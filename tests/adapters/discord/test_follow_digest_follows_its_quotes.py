"""Discord: a narration deleted or edited after the followed-topics DM quoted it is edited in
that DM (its one embed, headed as it was sent), through the real discord.py client against the
repo's fake REST API and gateway, pinging nobody."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, CAROL, GENERAL, FakeDiscord, pinged
from .test_follow_digest import _dm_text, _follow, _slash

MONDAY = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
SECRET = "kafka consumer lag fixed, hunter2 is the password"


def _edited(fake: FakeDiscord, who: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.body for c in fake.posted(f"/channels/8{who['id']}/messages/", "PATCH")]


def _text(body: dict[str, Any]) -> str:
    return str(body.get("content") or "") + "".join(
        str(e.get("description") or "") for e in body.get("embeds") or []
    )


async def _digest(fake: FakeDiscord, bot: Bot, clock: ManualClock) -> None:
    await _slash(fake, "narrate", who=CAROL, channel=GENERAL, text="carol narrates")
    await _follow(fake, CAROL, "kafka")
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text=SECRET)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    assert "hunter2" in _dm_text(fake, CAROL)


async def test_delete_edits_the_dm(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    await _digest(fake, bot, clock)
    await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text="delete 1")
    [edit] = _edited(fake, CAROL)
    assert "hunter2" not in _text(edit) and "(removed by its author)" in _text(edit)
    assert "New this week about the topics you follow" in _text(edit)
    # One message, as it was sent (content, or the one embed of a long one).
    [sent] = [c.body for c in fake.posted(f"/channels/8{CAROL['id']}/messages") if c.status == 200]
    assert len(edit.get("embeds") or []) == len(sent.get("embeds") or [])
    assert pinged(edit) == set()


async def test_edit_refreshes_the_quote_in_the_dm(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    await _digest(fake, bot, clock)
    await _slash(
        fake, "narrate", who=ALICE, channel=GENERAL, text="edit 1 kafka consumer lag fixed"
    )
    [edit] = _edited(fake, CAROL)
    assert "hunter2" not in _text(edit) and "kafka consumer lag fixed" in _text(edit)


async def test_a_long_digest_stays_one_embed_when_edited(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    """Over 2,000 characters the DM is one embed; its edit keeps it one message, one embed."""
    await connect(bot)
    await _slash(fake, "narrate", who=CAROL, channel=GENERAL, text="carol narrates")
    topics = ["kafka", "ledger", "flink"]
    for topic in topics:
        await _follow(fake, CAROL, topic)
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    for topic in topics:
        for n in range(5):
            text = f"{topic} change {n}: rolled out the new configuration and checked it " * 2
            await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text=text)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    [sent] = [c.body for c in fake.posted(f"/channels/8{CAROL['id']}/messages") if c.status == 200]
    assert len(sent.get("embeds") or []) == 1 and "kafka change 0" in _text(sent)
    await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text="delete 1")
    [edit] = _edited(fake, CAROL)
    assert len(edit.get("embeds") or []) == 1
    assert "kafka change 0" not in _text(edit) and "kafka change 1" in _text(edit)
    assert "(removed by its author)" in _text(edit)
