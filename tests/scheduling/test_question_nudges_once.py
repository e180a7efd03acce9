"""The follow-up on open questions in the wake-up: replicas waking at once send each DM once,
and a wake-up with nothing due (the questions asked about already) takes no SQLite write lock,
so it runs while another process writes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.features import question_nudges
from tests.held_lock import another_writer, short_busy_timeout
from tests.scenarios.test_open_question_closing import _two_questions
from tests.scheduling.support import Recorder


def _replica(bot: Bot) -> tuple[Bot, Recorder]:
    """Another process on the same database, its own gateway recording what it sends."""
    recorder = Recorder(clock=bot.clock)
    other = Bot(db=bot.db, clock=bot.clock, settings=Settings())
    other.gateways[Platform.CONSOLE] = recorder
    return other, recorder


def _asked(recorder: Recorder) -> int:
    return sum("is it still open?" in post.text for _, post in recorder.posts)


async def test_replicas_waking_at_once_send_each_dm_once(chat, bot: Bot):
    await _two_questions(chat)
    (one, first), (two, second) = _replica(bot), _replica(bot)
    now = bot.clock.now() + timedelta(days=14)
    bot.clock.set(now)
    sent = await asyncio.gather(
        question_nudges.send_due(one, now), question_nudges.send_due(two, now)
    )
    # One asker, two questions: one DM between the replicas (one a week per asker).
    assert sum(sent) == 1 and _asked(first) + _asked(second) == 1
    again = await asyncio.gather(
        question_nudges.send_due(one, now), question_nudges.send_due(two, now)
    )
    assert again == [0, 0]
    later = now + timedelta(days=7)
    bot.clock.set(later)
    sent = await asyncio.gather(
        question_nudges.send_due(one, later), question_nudges.send_due(two, later)
    )
    assert sum(sent) == 1 and _asked(first) + _asked(second) == 2


async def test_an_idle_wakeup_after_the_dms_takes_no_write_lock(chat, bot: Bot, db, monkeypatch):
    await _two_questions(chat)
    assert "is it still open?" in await chat.say(":advance 14d")
    await short_busy_timeout(db, monkeypatch)
    with another_writer(db):
        # Before asking whether anything is due took no lock; it still doesn't with the
        # questions asked about (nothing due, nothing written).
        report = await bot.run_due(bot.clock.now() + timedelta(seconds=30))
    assert (report.claimed, report.sent) == (0, 0)
