"""Discord: a followed-topics DM whose edit Discord refuses until someone changes something
(403) is logged once with Discord's status and none of its words and tried again a week on, not
every few hours; a message gone (404 Unknown Message) is done; a 5xx keeps the back-off. Through
the real discord.py client against the repo's fake REST API and gateway. Before this change
every refusal was tried again every six hours for ever, with a warning each time."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock

from .fake import ALICE, CAROL, GENERAL, FakeDiscord
from .test_follow_digest import _slash
from .test_follow_digest_follows_its_quotes import _digest

EDIT = r"/channels/8\d+/messages/\d+$"
TRIES = (1, 7, 13, 25, 24 * 6)  # hours after the refusal: within the week


def _edits(fake: FakeDiscord) -> list[int]:
    return [c.status for c in fake.posted(f"/channels/8{CAROL['id']}/messages/", "PATCH")]


async def _deleted_after_the_digest(fake: FakeDiscord, bot: Bot, clock: ManualClock) -> None:
    await _digest(fake, bot, clock)
    await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text="delete 1")


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Missing Access", "code": 50001},
        {"message": "Missing Permissions", "code": 50013},
    ],
)
async def test_a_refusal_is_logged_once_and_tried_weekly(
    fake: FakeDiscord,
    bot: Bot,
    clock: ManualClock,
    connect: Any,
    caplog: pytest.LogCaptureFixture,
    body: dict[str, Any],
) -> None:
    await connect(bot)
    fake.fail("PATCH", EDIT, 403, body, times=1)
    with caplog.at_level(logging.INFO, logger="narrate_bot"):
        await _deleted_after_the_digest(fake, bot, clock)
        now = clock.now()
        for hours in TRIES:
            await bot.run_due(now + timedelta(hours=hours))
        assert _edits(fake) == [403]
        await bot.run_due(now + timedelta(days=7, minutes=1))  # access given back meanwhile
    assert _edits(fake) == [403, 200]
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("narrate_bot")
    ]
    assert warnings == [
        f"a message that quotes narrations can't be edited (403 ({body['code']})): it keeps its "
        "old lines, tried again weekly"
    ]
    assert "hunter2" not in caplog.text


async def test_a_message_gone_is_done(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    fake.fail("PATCH", EDIT, 404, {"message": "Unknown Message", "code": 10008}, times=9)
    await _deleted_after_the_digest(fake, bot, clock)
    now = clock.now()
    for hours in TRIES:
        await bot.run_due(now + timedelta(hours=hours))
    assert _edits(fake) == [404]


async def test_a_server_error_keeps_its_back_off(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    await connect(bot)
    fake.fail("PATCH", EDIT, 500, {"message": "oops", "code": 0}, times=1)
    await _deleted_after_the_digest(fake, bot, clock)
    await bot.run_due(clock.now() + timedelta(minutes=3))
    assert _edits(fake)[-1] == 200 and 500 in _edits(fake)
