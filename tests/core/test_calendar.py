"""Dates on the reader's calendar: "yesterday" is their previous calendar day, not 24 hours ago,
and a date is the one on their wall, not UTC's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from narrate_bot.knowledge.durations import Calendar

MONDAY_8_TOKYO = datetime.fromisoformat("2026-11-23T08:00:00+09:00")  # Sunday 23:00 UTC


def test_47_hours_from_monday_morning_is_two_days_ago_on_monday():
    calendar = Calendar.of(datetime.fromisoformat("2026-11-25T07:00:00+09:00"), "Asia/Tokyo")
    assert calendar.dated(MONDAY_8_TOKYO) == "2026-11-23"
    assert calendar.age(MONDAY_8_TOKYO) == "2 days ago"


def test_utc_would_say_sunday_and_yesterday():
    calendar = Calendar.of(datetime.fromisoformat("2026-11-25T07:00:00+09:00"))
    assert calendar.dated(MONDAY_8_TOKYO) == "2026-11-22"
    assert calendar.age(MONDAY_8_TOKYO) == "2 days ago"  # Sunday to Tuesday, in UTC


@pytest.mark.parametrize(
    ("now", "said"),
    [
        ("2026-11-23T23:59:00+09:00", "today"),
        ("2026-11-24T00:01:00+09:00", "yesterday"),  # 16 hours later, but a new day
        ("2026-11-26T23:00:00+09:00", "3 days ago"),
        ("2026-12-14T09:00:00+09:00", "3 weeks ago"),
        ("2027-03-01T09:00:00+09:00", "3 months ago"),
        ("2029-01-01T09:00:00+09:00", "2 years ago"),
        ("2026-11-23T07:00:00+09:00", "today"),  # a moment ahead of the clock
    ],
)
def test_ages_count_calendar_days_in_the_readers_zone(now, said):
    calendar = Calendar.of(datetime.fromisoformat(now), "Asia/Tokyo")
    assert calendar.age(MONDAY_8_TOKYO) == said


def test_the_first_known_zone_wins_then_utc():
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert Calendar.of(now, None, "Asia/Tokyo").zone.key == "Asia/Tokyo"
    assert Calendar.of(now, "America/New_York", "Asia/Tokyo").zone.key == "America/New_York"
    assert Calendar.of(now, "Mars/Olympus", "").zone.key == "UTC"
    assert Calendar.of(now).zone.key == "UTC"


def test_a_naive_stored_moment_means_utc():
    calendar = Calendar.of(datetime(2026, 11, 24, 12, tzinfo=UTC), "Asia/Tokyo")
    assert calendar.dated(datetime(2026, 11, 22, 23, 0)) == "2026-11-23"
