""" "Next one" skips whole skip ranges, in the schedule's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from narrate_bot.knowledge.fire_times import next_fire_outside

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = 0b0011111


def test_the_first_weekday_after_stacked_skips():
    fire = next_fire_outside(
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        days=WEEKDAYS,
        at=time(9, 30),
        zone=BERLIN,
        skipped=[(date(2026, 11, 24), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 1, 1))],
    )
    assert fire is not None and fire.slot == date(2027, 1, 4)
    assert fire.at == datetime(2027, 1, 4, 8, 30, tzinfo=UTC)


def test_no_skips_is_the_plain_next_fire_and_endless_skips_are_none():
    after = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    fire = next_fire_outside(after, days=WEEKDAYS, at=time(9, 30), zone=BERLIN, skipped=[])
    assert fire is not None and fire.slot == date(2026, 11, 24)
    years = [(date(2026 + n, 1, 1), date(2026 + n, 12, 31)) for n in range(200)]
    assert (
        next_fire_outside(after, days=WEEKDAYS, at=time(9, 30), zone=BERLIN, skipped=years) is None
    )
