"""The weekly introductions job through the console: each scheduled slot is one round, and a
round is never claimed without its introductions queued for delivery."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from narrate_bot.features import schedule_jobs
from narrate_bot.features.schedule_jobs import tick

INTRODUCED = re.compile(r"Introduction #(\d+): @\S+( \(\S+\))?, meet")
ASKED = re.compile(r"Introduction #(\d+): did you get to meet")


async def test_a_failure_right_after_the_weekly_run_loses_none_of_the_weeks_introductions(
    bot, chat, clock, monkeypatch
):
    """The database connection drops just as Monday's introductions are being queued. The
    retry a minute later still introduces alice and carol, and Thursday asks only about
    introductions they were actually sent."""
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate rate limiting for the checkout api",
        "carol: /narrate rate limiting the search api",
    )
    real_claim = schedule_jobs.store.claim
    failed: list[str] = []

    async def claim(session: Any, *, rows: Any, dialect: str) -> int:
        if rows and rows[0]["payload"] is not None and not failed:
            failed.append(rows[0]["part"])
            raise ConnectionError("connection to the database lost")
        return await real_claim(session, rows=rows, dialect=dialect)

    monkeypatch.setattr(schedule_jobs.store, "claim", claim)
    start = chat.out.tell()
    await tick(bot, clock.now())  # the workspace gets its default slot: Monday 10:00 UTC
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    for when in [now + timedelta(minutes=m) for m in range(30)] + [
        datetime(2026, 11, 26, 10, 0, tzinfo=UTC),  # Thursday's follow-up
        datetime(2026, 11, 26, 10, 30, tzinfo=UTC),
    ]:
        clock.set(when)
        with contextlib.suppress(ConnectionError):  # a tick that lets the failure out
            await tick(bot, when)
    assert failed == ["post-0"]  # the failure did happen, once
    printed = chat.out.getvalue()[start:]
    introduced = INTRODUCED.findall(printed)
    assert [number for number, _ in introduced] == ["1"]
    assert "@alice (payments), meet @carol (search)" in printed
    assert ASKED.findall(printed) == ["1"]


async def test_a_sydney_workspace_gets_its_introductions_every_monday_across_dst(bot, chat, clock):
    """Monday 10:00 in Sydney is Monday 00:00 UTC before October's clock change and Sunday
    23:00 UTC after it: one UTC week. Each Monday still has its own introductions."""
    sydney = ZoneInfo("Australia/Sydney")
    clock.set(datetime(2026, 9, 22, 9, 0, tzinfo=sydney))  # a Tuesday
    await chat.say("alice: /narrate workspace-timezone Australia/Sydney")
    for i in range(12):
        await chat.say(
            f"p{i}@team{i}: /narrate intros join",
            f"p{i}: /narrate kafka consumer lag and rate limiting",
        )
    introduced = {}
    for monday in ("2026-09-28", "2026-10-05", "2026-10-12"):
        half_past_ten = datetime.fromisoformat(f"{monday}T10:30").replace(tzinfo=sydney)
        out = await chat.say(f":clock {half_past_ten.isoformat()}")
        introduced[monday] = len(INTRODUCED.findall(out))
    assert introduced == {"2026-09-28": 6, "2026-10-05": 6, "2026-10-12": 6}
