"""A mention's answer reaches its asker where Discord lets it.

In a channel where Discord refuses the bot's post (its permissions there: 403, 50013), "who
knows about kafka?" went unanswered, and the "This helped" DM queued after the answer was lost
with it. The answer now goes by DM, with the "This helped" ask, and the channel is told
nothing. And when the asker's DMs are closed, the "This helped" ask (which goes by DM) is left
out quietly, not replaced by "I couldn't send you that privately…" in the channel.
"""

from __future__ import annotations

import asyncio
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.features.who_knows import HELPED_ASK, HELPED_LABEL
from narrate_bot_adapters.discord.conversation import NO_DM

from .conftest import until
from .fake import APP, BOB, CAROL, GENERAL, FakeDiscord

MISSING = {"message": "Missing Permissions", "code": 50013}
DMS_CLOSED = {"message": "Cannot send messages to this user", "code": 50007}
CAROL_DM = f"/channels/8{CAROL['id']}/messages"


def _contents(fake: FakeDiscord, since: int, path: str) -> list[str]:
    return [
        str((c.body or {}).get("content", ""))
        for c in fake.calls[since:]
        if c.method == "POST" and c.path == path and c.status == 200
    ]


def _labels(fake: FakeDiscord, since: int, path: str) -> list[str]:
    return [
        button["label"]
        for c in fake.calls[since:]
        if c.method == "POST" and c.path == path and c.status == 200
        for row in (c.body or {}).get("components", [])
        for button in row["components"]
    ]


async def _bob_knows_kafka(fake: FakeDiscord, bot: Bot, connect: Any) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=BOB, text="kafka consumer lag fixed"))


async def test_a_channel_that_refuses_the_answer_gets_it_sent_by_dm(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _bob_knows_kafka(fake, bot, connect)
    fake.fail("POST", r"/threads$", 403, MISSING, times=5)
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 403, MISSING, times=5)
    before = len(fake.calls)

    await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    await until(lambda: len(_contents(fake, before, CAROL_DM)) >= 2)

    answer, ask = _contents(fake, before, CAROL_DM)
    assert "Who knows about" in answer and f"<@{BOB['id']}>" in answer, answer
    assert ask.startswith(HELPED_ASK.split("?")[0]) and _labels(fake, before, CAROL_DM) == [
        HELPED_LABEL
    ]
    assert _contents(fake, before, f"/channels/{GENERAL}/messages") == []  # nothing got there


async def test_this_helped_is_left_out_quietly_when_dms_are_closed(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _bob_knows_kafka(fake, bot, connect)
    fake.fail("POST", rf"^{CAROL_DM}$", 403, DMS_CLOSED, times=5)
    before = len(fake.calls)

    await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    # The answer, then the ask's refused DM, waited for (a fixed 0.5 s fell short under load);
    # then a moment for anything said about it.
    await until(lambda: any(c.path == CAROL_DM and c.status == 403 for c in fake.calls[before:]))
    await asyncio.sleep(0.2)

    said = [
        str((c.body or {}).get("content", ""))
        for c in fake.calls[before:]
        if c.method == "POST" and c.path.startswith("/channels/") and c.status == 200
    ]
    assert any("Who knows about" in text for text in said), said  # the answer, in its thread
    assert not any(NO_DM in text for text in said), said
