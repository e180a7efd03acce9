"""When a schedule fires: wall-clock times in a person's or channel's own zone, DST included.

Rules (docs/adr/0007, README "Schedules"):
- A schedule fires at most once per *local date*; that date is the slot the send is claimed on.
- A wall time that doesn't exist that day (the spring-forward gap, e.g. 02:30 in Berlin on
  2026-03-29) fires at the first valid instant after it: the moment the clocks jump (03:00).
- A wall time that happens twice (the fall-back hour) fires once, at its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY = 0b1111111
_NAMED = {
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "weekdays": 0b0011111,
    "workdays": 0b0011111,
    "weekends": 0b1100000,
}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Fire:
    """One firing: the UTC instant and the local date it belongs to (the claim slot)."""

    at: datetime
    slot: date


@lru_cache(maxsize=2048)
def zone_named(name: str) -> ZoneInfo:
    """A zone, kept loaded: ZoneInfo only caches a few strongly, and a tick may touch hundreds."""
    return ZoneInfo(name)


def _weekday(word: str) -> int:
    day = word.lower()[:3]
    if day not in WEEKDAYS or not _DAY_NAMES[WEEKDAYS.index(day)].startswith(word.lower()):
        raise ValueError(
            f"{word!r} isn't a day I know. Use weekdays, daily, weekends, or days like mon,wed,fri."
        )
    return WEEKDAYS.index(day)


def parse_days(text: str) -> int:
    """``weekdays`` / ``daily`` / ``mon,wed,fri`` / ``mon-fri`` → a bitmask (Monday = bit 0)."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in _NAMED:
        return _NAMED[cleaned]
    mask = 0
    for part in filter(None, cleaned.split(",")):
        first, dash, last = part.partition("-")
        start = _weekday(first)
        end = _weekday(last) if dash else start
        day = start
        while True:
            mask |= 1 << day
            if day == end:
                break
            day = (day + 1) % 7
    if not mask:
        raise ValueError("Which days? For example weekdays, daily, or mon,wed,fri.")
    return mask


def describe_days(mask: int) -> str:
    for name in ("daily", "weekdays", "weekends"):
        if mask == _NAMED[name]:
            return name
    return ",".join(day for i, day in enumerate(WEEKDAYS) if mask & (1 << i))


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(
            f"{text.strip()!r} isn't a time I can read. Use 24-hour HH:MM, like 16:30."
        )
    return time(int(match.group(1)), int(match.group(2)))


def _exists(naive: datetime, zone: ZoneInfo) -> bool:
    if zone.utcoffset(naive) == zone.utcoffset(naive.replace(fold=1)):
        return True  # the common case: neither in a gap nor in a repeated hour
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def fire_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``at`` on local date ``day`` (gap and fold rules above)."""
    naive = datetime.combine(day, at)
    if _exists(naive, zone):
        return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # In a gap: fold=1 reads it with the later offset (an instant before the jump), fold=0 with
    # the earlier one (after it). The jump lies between; find it to the minute.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def next_fire(after: datetime, *, days: int, at: time, zone: ZoneInfo) -> Fire:
    """The first firing strictly after ``after``."""
    # A fire on an earlier local date is always earlier (gap fires stay on their own date).
    start = after.astimezone(zone).date()
    for offset in range(8):
        day = start + timedelta(days=offset)
        if days & (1 << day.weekday()):
            when = fire_at(day, at, zone)
            if when > after:
                return Fire(when, day)
    raise ValueError("a schedule needs at least one weekday")


def latest_fire(until: datetime, *, days: int, at: time, zone: ZoneInfo) -> Fire | None:
    """The last firing at or before ``until`` (within a week), for coalesced catch-up."""
    start = until.astimezone(zone).date()
    for offset in range(8):
        day = start - timedelta(days=offset)
        if days & (1 << day.weekday()):
            when = fire_at(day, at, zone)
            if when <= until:
                return Fire(when, day)
    return None


# Far enough for stacked skips (each at most a year) and short enough to stay cheap.
_MAX_SKIPPED_FIRES = 64


def next_fire_outside(
    after: datetime,
    *,
    days: int,
    at: time,
    zone: ZoneInfo,
    skipped: Sequence[tuple[date, date]],
) -> Fire | None:
    """The first firing strictly after ``after`` whose local date no skip covers, or ``None``
    when skips cover every one for years: what "next one" means to the people waiting for it,
    since a skipped slot posts nothing."""
    for _ in range(_MAX_SKIPPED_FIRES):
        fire = next_fire(after, days=days, at=at, zone=zone)
        covering = [last for first, last in skipped if first <= fire.slot <= last]
        if not covering:
            return fire
        # Past the whole skip at once, not one fire at a time: the day after its last day.
        after = fire_at(max(covering) + timedelta(days=1), time(0, 0), zone) - timedelta(
            microseconds=1
        )
    return None
