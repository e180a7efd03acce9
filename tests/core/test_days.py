"""The days people type after "until": read on their calendar's today."""

from __future__ import annotations

from datetime import date

import pytest

from narrate_bot.knowledge.days import PassedDay, UnreadableDay, read_day, reads_as_day

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-28", date(2026, 12, 28)),
        ("tomorrow", date(2026, 11, 25)),
        ("friday", date(2026, 11, 27)),
        ("Tue", date(2026, 12, 1)),  # the next one, never today
        ("next monday", date(2026, 11, 30)),
        ("28 dec", date(2026, 12, 28)),
        ("Dec 28th", date(2026, 12, 28)),
        ("December 28, 2027", date(2027, 12, 28)),
        ("jan 5", date(2027, 1, 5)),  # without a year: the next one
        ("1 sep", date(2027, 9, 1)),  # 281 days on: still read as next year's
        ("nov 20 2027", date(2027, 11, 20)),
    ],
)
def test_days(text, day):
    assert read_day(text, TODAY) == day and reads_as_day(text)


def test_words_that_are_no_day():
    for text in ("blah", "the fix lands", "2026-13-01x", ""):
        with pytest.raises(UnreadableDay):
            read_day(text, TODAY)
        assert not reads_as_day(text)
    with pytest.raises(ValueError, match="isn't a day of the calendar"):
        read_day("30 feb", TODAY)
    assert reads_as_day("30 feb")  # written like one: the pause explains


def test_days_looked_back_on():
    """In a search through what was written, a weekday or a day without a year is the last
    one up to today."""
    assert read_day("friday", TODAY, past=True) == date(2026, 11, 20)
    assert read_day("tuesday", TODAY, past=True) == TODAY
    assert read_day("dec 28", TODAY, past=True) == date(2025, 12, 28)
    assert read_day("yesterday", TODAY, past=True) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("nov 20", "20 Nov has passed; did you mean 2027-11-20? Say it with the year."),
        ("23 nov", "23 Nov has passed; did you mean 2027-11-23?"),
        ("oct 1st", "1 Oct has passed; did you mean 2027-10-01?"),
    ],
)
def test_a_day_and_month_that_just_passed_is_not_next_years(text, said):
    """Read as next year's it was 364 days away: inside a year, so a pause or a skip took it."""
    with pytest.raises(PassedDay) as passed:
        read_day(text, TODAY)
    assert said in str(passed.value) and reads_as_day(text)
    assert read_day(text, TODAY, past=True).year == 2026  # a search back still finds this year's
