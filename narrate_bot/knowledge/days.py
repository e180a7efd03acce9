"""Reading a day people type after "until" or "since": ``2026-12-28``, ``tomorrow``,
``friday``, ``28 dec``, ``december 28th 2027``. Pure: the caller gives today's date, on the
person's calendar, and decides what a day in the past means."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}  # fmt: skip
# "pause until …": the words people type before the day.
UNTIL_WORDS = ("until", "till", "til", "untill")

_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_DAY_MONTH = re.compile(rf"^{_DAY}\s+{_MONTH}{_YEAR}$")
_MONTH_DAY = re.compile(rf"^{_MONTH}\s+{_DAY}{_YEAR}$")


# Written like a date ("2026-02-30"), whether or not the calendar has it.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-\d{1,2}$")


def _not_on_calendar(text: str, year: int, month: int) -> str:
    """Why a day written like a date isn't one: "pause until 2026-02-30" got the generic pause
    hint, as if no date had been written."""
    if not 1 <= month <= 12:
        return f"{text} isn't a date: there's no month {month}."
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return f"{text} isn't a date: {_ABBREVIATIONS[month - 1]} {year} has {last} days."


class UnreadableDay(ValueError):
    """Words that aren't written like a day at all (not a day that doesn't exist, "30 feb")."""


class PassedDay(ValueError):
    """A day and month without a year that has just passed ("until nov 22" on 23 Nov): read as
    next year's it is nearly a year away, which nobody saying it means without the year."""


# A yearless day read forward further than this had passed this year not long ago.
ROLLED_TOO_FAR = timedelta(days=300)


def read_day(text: str, today: date, *, past: bool = False) -> date:
    """The day ``text`` names, seen from ``today``: a weekday is the next one after today, a
    day and month without a year the next one from today on; with ``past`` (a search through
    what was written), the last one up to today instead. ``ValueError`` with a message fit to
    show a person when it names no day; ``PassedDay`` when a day and month without a year has
    lately passed, so that its next one is over ``ROLLED_TOO_FAR`` away (with a year it's read)."""
    words = " ".join(text.lower().replace(",", " , ").split()).replace(" ,", ",")
    if words in ("today",):
        return today
    if words in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    if words == "yesterday":
        return today - timedelta(days=1)
    weekday = _WEEKDAYS.get(words.removeprefix("next ").removeprefix("last ").rstrip("."))
    if weekday is not None and past:
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    try:
        return date.fromisoformat(words)
    except ValueError:
        if (iso := _ISO.match(words)) is not None:
            written = text.strip()
            raise ValueError(
                _not_on_calendar(written, int(iso.group(1)), int(iso.group(2)))
            ) from None
    named = _DAY_MONTH.match(words) or _MONTH_DAY.match(words)
    month = _MONTHS.get(named.group("month")) if named else None
    if named is None or month is None:
        raise UnreadableDay(f"I couldn't read {text.strip()!r} as a date.")
    day, year = int(named.group("day")), named.group("year")
    rolled = False
    try:
        found = date(int(year) if year else today.year, month, day)
        if year is None and not past and found < today:
            found, rolled = date(today.year + 1, month, day), True
        if year is None and past and found > today:
            found = date(today.year - 1, month, day)
    except ValueError:
        raise ValueError(f"{text.strip()!r} isn't a day of the calendar.") from None
    if rolled and found - today > ROLLED_TOO_FAR:
        raise PassedDay(
            f"{day} {_ABBREVIATIONS[month - 1]} has passed; did you mean {found.isoformat()}? "
            "Say it with the year."
        )
    return found


def reads_as_day(text: str) -> bool:
    """Whether ``text`` is written like a day at all (past, or not on the calendar, or not)."""
    try:
        read_day(text, date(2000, 1, 1))
    except UnreadableDay:
        return False
    except ValueError:
        return True
    return True
