"""Parsing the durations and time zones people type ("2w", "3d", "90m", "Europe/Berlin")."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_DURATION = timedelta(days=366)


def parse_duration(text: str) -> timedelta:
    """``"2w"`` → two weeks. Raises ``ValueError`` with a message fit to show a person."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"I couldn't read {text.strip()!r} as a duration. Try 90m, 8h, 3d or 2w.")
    amount, unit = int(match.group(1)), match.group(2)[0].lower()
    delta = timedelta(**{_UNITS[unit]: amount})
    if delta <= timedelta(0):
        raise ValueError("The duration has to be longer than zero.")
    if delta > MAX_DURATION:
        raise ValueError("That's longer than a year; use /narrate leave to stop for good.")
    return delta


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone such as ``Europe/Berlin``; ``ValueError`` with a friendly message otherwise."""
    cleaned = name.strip()
    if not cleaned or ".." in cleaned or cleaned.startswith("/"):
        raise ValueError(f"{name!r} isn't a time zone I know. Use a name like Europe/Berlin.")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory: OSError
        raise ValueError(
            f"{cleaned!r} isn't a time zone I know. Use an IANA name like Europe/Berlin, "
            "America/New_York or UTC."
        ) from None


def humanize_age(delta: timedelta) -> str:
    days = delta.days
    if days <= 0:
        hours = int(delta.total_seconds() // 3600)
        return "just now" if hours <= 0 else f"{hours}h ago"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
