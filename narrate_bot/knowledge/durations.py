"""Parsing the durations and time zones people type ("2w", "3d", "90m", "Europe/Berlin"), and
saying when something happened on the reader's own calendar."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_DURATION = timedelta(days=366)
# Past these, any amount is too long anyway.
_LONGEST = {"m": 10**7, "h": 10**6, "d": 10**5, "w": 10**4}


def parse_duration(text: str) -> timedelta:
    """``"2w"`` → two weeks. Raises ``ValueError`` with a message fit to show a person."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"I couldn't read {text.strip()!r} as a duration. Try 90m, 8h, 3d or 2w.")
    amount, unit = int(match.group(1)), match.group(2)[0].lower()
    # "99999w" is read, and answered with the longest there is (timedelta can't hold it all).
    delta = timedelta(**{_UNITS[unit]: min(amount, _LONGEST[unit])})
    if delta <= timedelta(0):
        raise ValueError("The duration has to be longer than zero.")
    if delta > MAX_DURATION:
        raise ValueError(
            f"That's longer than a year: the most is {MAX_DURATION.days}d ("
            f"{MAX_DURATION.days // 7}w); use /narrate leave to stop for good."
        )
    return delta


def in_about(seconds: float) -> str:
    """When a wait of ``seconds`` is over, as a person says it, never sooner than it is: "in a
    minute", "in about 40 minutes", "in about an hour and a half". For a platform's rate limit
    (its ``Retry-After``): "in a minute" is a promise that fails for the rest of a long one."""
    minutes = math.ceil(max(seconds, 0.0) / 60)
    if minutes <= 1:
        return "in a minute"
    if minutes < 10:
        return f"in about {minutes} minutes"
    if minutes <= 55:
        return f"in about {math.ceil(minutes / 5) * 5} minutes"
    halves = math.ceil(minutes / 30)  # half-hours, rounded up
    hours, half = divmod(halves, 2)
    if hours == 1:
        return "in about an hour and a half" if half else "in about an hour"
    return f"in about {hours} and a half hours" if half else f"in about {hours} hours"


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone such as ``Europe/Berlin``; ``ValueError`` with a friendly message otherwise."""
    cleaned = name.strip()
    if not cleaned or ".." in cleaned or cleaned.startswith("/"):
        raise ValueError(f"{name!r} isn't a time zone I know. Use a name like Europe/Berlin.")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory: OSError
        pass
    # People type "europe/berlin" or "America/New York": the zone's own spelling is found.
    wanted = cleaned.casefold().replace(" ", "_")
    if spelled := _zones_by_folded().get(wanted):
        return ZoneInfo(spelled)
    raise ValueError(
        f"{cleaned!r} isn't a time zone I know. Use an IANA name like Europe/Berlin, "
        "America/New_York or UTC."
    )


def zone_spelling(name: str) -> str | None:
    """The zone ``name`` names, in the zone's own spelling ("met" → "MET", "europe/berlin" →
    "Europe/Berlin"), or ``None`` when it names none."""
    try:
        parse_timezone(name)
    except ValueError:
        return None
    return _zones_by_folded().get(name.strip().casefold().replace(" ", "_"))


@cache
def _zones_by_folded() -> dict[str, str]:
    """Every zone by its case-folded name, built on first use."""
    return {zone.casefold(): zone for zone in available_timezones()}


def _in_days(days: int) -> str:
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return parse_timezone(name)
    except ValueError:  # a zone the system's tz database no longer knows
        return None


@dataclass(frozen=True)
class Calendar:
    """The reader's calendar: stored UTC moments as the dates and days ago they live by.

    Dates in a reply are the reader's, not UTC's: bob's narration of Monday 08:00 in Tokyo is
    dated Monday for a reader in Tokyo (UTC still says Sunday), and on Wednesday 07:00 it is
    "2 days ago" there, although only 47 hours have passed.
    """

    zone: ZoneInfo
    today: date

    @classmethod
    def of(cls, now: datetime, *zones: str | None) -> Calendar:
        """The first of ``zones`` that is set and known (the reader's own, then the
        workspace's), else UTC."""
        zone = next((z for z in map(_zone, zones) if z is not None), ZoneInfo("UTC"))
        return cls(zone=zone, today=_aware(now).astimezone(zone).date())

    def local(self, moment: datetime) -> datetime:
        """The same moment on the reader's clock (for a platform that formats it itself)."""
        return _aware(moment).astimezone(self.zone)

    def day_of(self, moment: datetime) -> date:
        return self.local(moment).date()

    def dated(self, moment: datetime) -> str:
        """``2026-11-23``: the reader's date of the moment."""
        return self.day_of(moment).isoformat()

    def age(self, moment: datetime) -> str:
        """Today, yesterday, 3 days ago, 2 weeks ago…, in calendar days of the reader's zone.
        A moment later than now (another replica's clock) reads as today."""
        return _in_days((self.today - self.day_of(moment)).days)


def _aware(moment: datetime) -> datetime:
    # Stored timestamps are UTC; a driver that hands one back naive still means UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
