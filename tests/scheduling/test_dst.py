"""Exactly one prompt per local day at the right wall time, across both 2026 DST transitions.

Zones: America/New_York and Europe/Berlin (1 h shifts on different dates) and
Australia/Lord_Howe (a 30-minute shift, southern hemisphere). Times: 09:00 (ordinary), 01:30
(repeated in New York's and Lord Howe's fall-back) and 02:30 (missing in the spring-forward gap
of New York and Berlin, repeated in Berlin's fall-back).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.knowledge.fire_times import EVERY_DAY, fire_at, next_fire
from tests.scheduling.support import Recorder, add_channel_prompts

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
TIMES = ["09:00", "01:30", "02:30"]
TRANSITIONS = {  # local dates of the 2026 changes: (spring forward, fall back)
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "Australia/Lord_Howe": (date(2026, 10, 4), date(2026, 4, 5)),
}
# Where the wall time doesn't exist: it fires when the clocks jump (documented in README).
GAP_FIRES = {
    ("America/New_York", "02:30"): "2026-03-08T03:00:00-04:00",
    ("Europe/Berlin", "02:30"): "2026-03-29T03:00:00+02:00",
}


def _expected(zone: str, hhmm: str, day: date) -> datetime:
    """In UTC: aware datetimes in a repeated hour never compare equal across zones (PEP 495)."""
    gap = GAP_FIRES.get((zone, hhmm))
    if gap and datetime.fromisoformat(gap).date() == day:
        return datetime.fromisoformat(gap).astimezone(UTC)
    # Otherwise the wall time itself, its first occurrence (fold=0) when it happens twice.
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("hhmm", TIMES)
def test_a_whole_year_has_exactly_one_fire_per_local_date_at_its_wall_time(zone, hhmm):
    tz = ZoneInfo(zone)
    at = time.fromisoformat(hhmm)
    when = datetime(2025, 12, 31, 12, tzinfo=UTC)
    seen: Counter[date] = Counter()
    while when < datetime(2027, 1, 1, tzinfo=UTC):
        fire = next_fire(when, days=EVERY_DAY, at=at, zone=tz)
        assert fire.at > when
        local = fire.at.astimezone(tz)
        assert local.date() == fire.slot
        assert fire.at == _expected(zone, hhmm, fire.slot)
        seen[fire.slot] += 1
        when = fire.at
    year = [d for d in seen if d.year == 2026]
    assert len(year) == 365 and set(seen.values()) == {1}


def test_the_gap_fires_when_the_clocks_jump_and_the_repeat_fires_once_at_its_first_occurrence():
    berlin, new_york = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    assert fire_at(date(2026, 3, 29), time(2, 30), berlin).astimezone(berlin).isoformat() == (
        "2026-03-29T03:00:00+02:00"
    )
    assert fire_at(date(2026, 10, 25), time(2, 30), berlin).astimezone(berlin).isoformat() == (
        "2026-10-25T02:30:00+02:00"  # summer time: the first of the two 02:30s
    )
    assert fire_at(date(2026, 11, 1), time(1, 30), new_york).astimezone(new_york).isoformat() == (
        "2026-11-01T01:30:00-04:00"
    )
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    assert fire_at(date(2026, 10, 4), time(2, 15), lord_howe).astimezone(lord_howe).isoformat() == (
        "2026-10-04T02:30:00+11:00"  # the 30-minute gap 02:00-02:30
    )


def test_apscheduler_alone_fires_twice_in_the_repeated_hour():
    """Why slots are local dates: the cron trigger fires 01:30 EDT and again 01:30 EST."""
    trigger = CronTrigger(hour=1, minute=30, timezone="America/New_York")
    when = datetime(2026, 10, 31, 12, tzinfo=UTC)
    fires = []
    while when < datetime(2026, 11, 2, 12, tzinfo=UTC):
        # In UTC: wall-clock addition on an aware datetime would drop fold=1 and loop forever.
        when = trigger.get_next_fire_time(None, when.astimezone(UTC) + timedelta(seconds=1))
        fires.append(when)
    local_dates = Counter(f.astimezone(ZoneInfo("America/New_York")).date() for f in fires[:-1])
    assert local_dates[date(2026, 11, 1)] == 2


def _windows() -> list[tuple[datetime, datetime]]:
    """From noon the day before to noon the day after every 2026 transition, in UTC."""
    spans = []
    for zone, days in TRANSITIONS.items():
        for day in days:
            start = datetime.combine(day - timedelta(days=1), time(12), tzinfo=ZoneInfo(zone))
            spans.append((start.astimezone(UTC), start.astimezone(UTC) + timedelta(hours=48)))
    return sorted(spans)


async def _bot_with_all_schedules(db, start: datetime) -> tuple[Bot, Recorder, dict[int, tuple]]:
    clock = ManualClock(start)
    bot = Bot(db=db, clock=clock, settings=Settings())
    recorder = Recorder(clock=clock)
    bot.gateways[Platform.CONSOLE] = recorder
    schedules: dict[int, tuple] = {}
    n = 0
    for zone in ZONES:
        for hhmm in TIMES:
            [sid] = await add_channel_prompts(
                db, count=1, days="daily", at=hhmm, zone=zone, now=start, first=n
            )
            schedules[sid] = (zone, hhmm)
            n += 1
    return bot, recorder, schedules


async def _sends(db) -> list[tuple[int, str, datetime]]:
    from sqlalchemy import text

    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT schedule_id, slot, sent_at FROM schedule_send WHERE status = 'sent'")
        )
        return [(r[0], r[1], r[2]) for r in rows]


async def test_ticking_hourly_through_every_transition_sends_one_per_local_day(db):
    windows = _windows()
    bot, recorder, schedules = await _bot_with_all_schedules(db, windows[0][0])
    for start, end in windows:
        now = start + timedelta(minutes=7)  # wake-ups never line up with the due times
        while now <= end:
            bot.clock.set(now)  # type: ignore[attr-defined]
            await tick(bot, now)
            now += timedelta(hours=1)
    # Only the prompts: the workspace's weekly introductions slot is claimed too (and, with
    # nobody opted in, posts nothing).
    per_day = Counter((sid, slot) for sid, slot, _ in await _sends(db) if sid in schedules)
    assert per_day and set(per_day.values()) == {1}
    # Every transition day got its prompt, once, for all nine schedules.
    for sid, (zone, hhmm) in schedules.items():
        for day in TRANSITIONS[zone]:
            assert per_day[(sid, day.isoformat())] == 1, (zone, hhmm, day)
    assert len(recorder.posts) == sum(per_day.values())


async def test_each_prompt_goes_out_at_its_wall_time_when_run_in_due_order(db):
    windows = _windows()
    bot, recorder, schedules = await _bot_with_all_schedules(db, windows[0][0])
    for start, end in windows:
        bot.clock.set(max(start, bot.clock.now()))  # type: ignore[attr-defined]
        await bot.run_due(end)
    assert recorder.posts
    channel_of = {sid: f"c{i}" for i, sid in enumerate(schedules)}  # one channel per schedule
    by_channel = {channel_of[sid]: key for sid, key in schedules.items()}
    starts = {start for start, _ in windows}
    for when, post in recorder.posts:
        if when in starts:
            continue  # a catch-up for the gap between two windows (within the grace period)
        zone, hhmm = by_channel[post.channel_id]
        local_day = when.astimezone(ZoneInfo(zone)).date()
        assert when == _expected(zone, hhmm, local_day), (zone, hhmm, when)
    days = Counter(
        (post.channel_id, when.astimezone(ZoneInfo(by_channel[post.channel_id][0])).date())
        for when, post in recorder.posts
    )
    assert set(days.values()) == {1}
