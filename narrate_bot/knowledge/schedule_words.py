"""The words of ``/narrate schedule …``, ``/narrate remind …`` and ``/narrate intros schedule``.

``routing`` routes the sub-command here; this turns its argument into a request, or raises
``ValueError`` with a message fit to show the person. Pure: no storage, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from .fire_times import parse_days, parse_time

_CHANNEL = re.compile(r"^(?:<#(?P<id>[A-Za-z0-9]+)(?:\|(?P<label>[^>]*))?>|#(?P<name>[\w.\-]+))$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$")
# Like ``routing``'s short ids: nine digits at most, so the number fits a 32-bit integer column
# (SQLite even raises past 64 bits), and decimal digits only ("²".isdigit() is true).
_NUMBER = re.compile(r"^#?(\d{1,9})$")
# A time, even a wrong one ("25:00", "9am"): the words before it are days, however misspelt.
_TIMEISH = re.compile(r"^\d{1,2}(?:[:.h]\d{1,2})?(?:am|pm)?$", re.I)
# A word shaped like an Area/City zone ("Europe/Berln", "Mars/Olympus"): after the time it is
# the zone, mistyped or not, never the first word of the question.
_ZONE_SHAPED = re.compile(r"^[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+$")
MAX_SKIP_DAYS = 366
# ``schedule question <number> default`` (or reset, clear, none): the prompt's usual question.
DEFAULT_WORDS = frozenset({"default", "reset", "clear", "none"})

SCHEDULE_USAGE = (
    "Try /narrate schedule #channel weekdays 16:30 Europe/Berlin (then, if you like, the "
    "question it asks), /narrate schedule list, /narrate schedule remove <number>, "
    "/narrate schedule question <number> <question>, "
    "/narrate schedule skip 2026-12-24..2026-12-26, "
    "/narrate schedule skips (and unskip <date>), "
    "/narrate schedule reminder #channel on|off, /narrate schedule updates #channel thread|off "
    "or /narrate schedule digest #channel on|off."
)
_SKIP_USAGE = "Write /narrate schedule skip 2026-12-24 or 2026-12-24..2026-12-26."
_UNSKIP_USAGE = (
    "Write /narrate schedule unskip 2026-12-24 or 2026-12-24..2026-12-26 "
    "(/narrate schedule skips lists them)."
)
# "skip remove …" and "skip list" read as unskip and skips: what people try first.
_SKIP_UNDO = {"remove", "undo", "delete", "off", "cancel"}
_QUESTION_USAGE = (
    "Which prompt? Give its number from /narrate schedule list, then its question: for example "
    "/narrate schedule question 2 What did you ship today? (or question 2 default)."
)


@dataclass(frozen=True)
class ChannelMention:
    """A channel as written: Slack's ``<#C123|name>`` gives an id, ``#name`` only a name."""

    channel_id: str | None
    name: str


@dataclass(frozen=True)
class Timing:
    days: int
    at: time
    zone: str | None
    question: str | None = None  # a channel prompt's own question (``parse_prompt_timing``)


@dataclass(frozen=True)
class ScheduleRequest:
    # add | list | remove | question | skip | skips | unskip | reminder | updates | digest |
    # managers
    action: str
    channel: ChannelMention | None = None
    timing: Timing | None = None
    number: int | None = None
    first_day: date | None = None
    last_day: date | None = None
    on: bool | None = None
    admins_only: bool | None = None
    # add: the prompt's own question as typed (one line), or None for the default one;
    # question: the new question, "" to show the current one, None for the default again.
    question: str | None = None


def _channel(word: str) -> ChannelMention | None:
    match = _CHANNEL.match(word)
    if not match:
        return None
    if match.group("id"):
        return ChannelMention(match.group("id"), (match.group("label") or "").lstrip("#"))
    return ChannelMention(None, match.group("name"))


def _leading_channel(words: list[str]) -> tuple[ChannelMention | None, list[str]]:
    if words and (mention := _channel(words[0])) is not None:
        return mention, words[1:]
    return None, words


def parse_timing(words: list[str], *, weekly: bool = False) -> Timing:
    """``<days> <HH:MM> [zone]``; ``weekly`` wants exactly one weekday."""
    if len(words) not in (2, 3):
        example = "mon 10:00 Europe/Berlin" if weekly else "weekdays 16:30 Europe/Berlin"
        raise ValueError(f"Give the days, a time and optionally a time zone, like {example}.")
    days = parse_days(words[0])
    if weekly and bin(days).count("1") != 1:
        raise ValueError("That runs once a week: name one day, like mon or thursday.")
    return Timing(days=days, at=parse_time(words[1]), zone=words[2] if len(words) == 3 else None)


def parse_prompt_timing(
    words: list[str], *, zone_spelling: Callable[[str], str | None], fields: bool = False
) -> Timing:
    """``<days> <HH:MM> [zone] [question…]`` for a channel prompt; the question, if any, is
    returned in ``Timing.question``. The word after the time is the zone when it reads as one
    (``_names_zone``); otherwise the question starts there.

    ``fields``: the platform gave the timing and the question fields of their own (a Discord
    subcommand), the question sent whole in quotes; see ``_fields_timing``."""
    if fields:
        return _fields_timing(words)
    if len(words) < 2:
        return parse_timing(words)
    zone: str | None = None
    rest = words[2:]
    if (at := _quoted_question(rest)) is not None:
        # "weekdays 16:30 cet "what shipped?"": the quote says where the question starts, so
        # the word before it is the zone in any case (Discord sends its fields this way).
        timing = parse_timing(words[:2] + rest[:at])
        question = " ".join(rest[at:])[1:-1].strip()
        return Timing(days=timing.days, at=timing.at, zone=timing.zone, question=question or None)
    if rest and _names_zone(rest[0], rest[1:], zone_spelling):
        zone, rest = rest[0], rest[1:]
    timing = parse_timing(words[:2] + ([zone] if zone else []))
    return Timing(days=timing.days, at=timing.at, zone=timing.zone, question=" ".join(rest) or None)


def _fields_timing(words: list[str]) -> Timing:
    """The timing typed in a field of its own (``<days> <HH:MM> [zone]``, as in ``/narrate
    schedule`` text), then the question field, if filled, in quotes.

    Joined into one line, the timing field's extra words were read as the question's first
    ("weekdays 9:30 Europe/Paris daily" with the question "What shipped?" asked "daily "What
    shipped?""; "weekdays 9:30 cet daily" ran in the server's zone and asked "cet daily"). The
    field says where the timing ends: a word after the zone is left over, and explained."""
    ends = len(words)
    if words and words[-1].endswith(_CLOSE_QUOTES):
        ends = next((i for i, word in enumerate(words) if word.startswith(_OPEN_QUOTES)), ends)
    timing, asked = words[:ends], " ".join(words[ends:])[1:-1].strip()
    if len(timing) > 3:
        raise ValueError(
            f"“{' '.join(timing)}” has more than days, a time and a time zone: "
            f"“{' '.join(timing[3:])}” is left over (the question has a field of its own). "
            "For example weekdays 16:30 Europe/Berlin."
        )
    read = parse_timing(timing)
    return Timing(days=read.days, at=read.at, zone=read.zone, question=asked or None)


_OPEN_QUOTES = ('"', "“", "„", "«")
_CLOSE_QUOTES = ('"', "”", "“", "»")


def _quoted_question(rest: list[str]) -> int | None:
    """Where a question written whole in quotes starts among the words after a prompt's time:
    right after the time, or after one word (its zone)."""
    for at in (0, 1):
        if (
            at < len(rest)
            and rest[at].startswith(_OPEN_QUOTES)
            and rest[-1].endswith(_CLOSE_QUOTES)
            and len(" ".join(rest[at:])) >= 2
        ):
            return at
    return None


# Named in any case after a prompt's time, whatever follows.
_ANY_CASE_ZONES = frozenset({"utc", "gmt"})


def _names_zone(word: str, after: list[str], zone_spelling: Callable[[str], str | None]) -> bool:
    """Whether ``word``, after a prompt's time and before the words ``after``, is its zone.

    Shaped like Area/City (``Europe/Berlin``, mistyped ``Europe/Berln`` too: explained as a
    zone, never posted as the question's first word), or UTC/GMT in any case: always. A zone
    without an area is often an ordinary word ("Met anyone new?", "Japan launch?", "EST"): it
    is the zone alone, or spelt as the zone spells it (``MET``, ``Japan``) before a question
    that starts anew (not in lower case: "CET What shipped?").
    """
    if _ZONE_SHAPED.match(word) or word.casefold() in _ANY_CASE_ZONES:
        return True
    spelled = zone_spelling(word)
    if spelled is None:
        return False
    return not after or (spelled == word and not after[0][:1].islower())


def _on_off(word: str) -> bool:
    if word.lower() in ("on", "yes", "enable"):
        return True
    if word.lower() in ("off", "no", "disable"):
        return False
    raise ValueError(f"Say on or off, not {word!r}.")


def _days_and_channel(words: list[str], usage: str) -> tuple[date, date, ChannelMention | None]:
    """``<date>[..<date>]`` with an optional channel before or after it."""
    channel, rest = _leading_channel(words)
    if channel is None and len(words) == 2 and (channel := _channel(words[1])) is not None:
        rest = words[:1]
    match = _RANGE.match(rest[0]) if len(rest) == 1 else None
    if match is None:
        raise ValueError(usage)
    first = _day(match.group(1))
    last = _day(match.group(2)) if match.group(2) else first
    if last < first:
        raise ValueError("The range ends before it starts; write the earlier date first.")
    return first, last, channel


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} isn't a date I can read; use YYYY-MM-DD.") from None


def parse_schedule(
    arg: str, *, zone_spelling: Callable[[str], str | None] = lambda _: None, fields: bool = False
) -> ScheduleRequest:
    """``zone_spelling`` gives the zone a word names, in the zone's own spelling, to tell a
    time zone from a question's first word after a prompt's time (the caller knows the zones;
    this module stays pure). ``fields``: a new prompt's timing and question came in fields of
    their own (``parse_prompt_timing``)."""
    words = arg.split()
    if not words:
        raise ValueError(SCHEDULE_USAGE)
    head = words[0].lower()
    rest = words[1:]
    if head == "list" and not rest:
        return ScheduleRequest("list")
    if head in ("remove", "delete", "stop"):
        number = _NUMBER.match(rest[0]) if len(rest) == 1 else None
        if number is None:
            raise ValueError(
                "Which one? Give its number from /narrate schedule list: for example "
                "/narrate schedule remove 2 removes #2."
            )
        return ScheduleRequest("remove", number=int(number.group(1)))
    if head in ("question", "questions"):
        number = _NUMBER.match(rest[0]) if rest else None
        if number is None:
            raise ValueError(_QUESTION_USAGE)
        text = " ".join(rest[1:])
        return ScheduleRequest(
            "question",
            number=int(number.group(1)),
            question=None if text.lower() in DEFAULT_WORDS else text,
        )
    if head == "skip" and rest and rest[0].lower() in ("list", "show"):
        head, rest = "skips", rest[1:]
    if head == "skip" and rest and rest[0].lower() in _SKIP_UNDO:
        head, rest = "unskip", rest[1:]
    if head == "skips":
        channel, rest = _leading_channel(rest)
        if rest:
            raise ValueError("Write /narrate schedule skips, or skips #channel.")
        return ScheduleRequest("skips", channel=channel)
    if head == "unskip":
        first, last, channel = _days_and_channel(rest, _UNSKIP_USAGE)
        return ScheduleRequest("unskip", channel=channel, first_day=first, last_day=last)
    if head == "skip":
        first, last, channel = _days_and_channel(rest, _SKIP_USAGE)
        if (last - first).days >= MAX_SKIP_DAYS:
            raise ValueError("That's more than a year; remove the schedule instead.")
        return ScheduleRequest("skip", channel=channel, first_day=first, last_day=last)
    if head == "reminder":
        channel, rest = _leading_channel(rest)
        if len(rest) != 1:
            raise ValueError("Write /narrate schedule reminder #channel on (or off).")
        return ScheduleRequest("reminder", channel=channel, on=_on_off(rest[0]))
    if head == "updates":
        # Form updates posted in the prompt's thread ("thread", the default) or not ("off");
        # no state shows which it is (``on`` stays ``None``).
        channel, rest = _leading_channel(rest)
        if not rest:
            return ScheduleRequest("updates", channel=channel)
        if len(rest) != 1 or rest[0].lower() not in ("thread", "on", "off"):
            raise ValueError("Write /narrate schedule updates #channel thread (or off).")
        return ScheduleRequest("updates", channel=channel, on=rest[0].lower() != "off")
    if head == "digest":
        channel, rest = _leading_channel(rest)
        if not rest:
            raise ValueError(
                "Write /narrate schedule digest #channel on [fri 16:00 [zone]], or off."
            )
        on = _on_off(rest[0])
        timing = parse_timing(rest[1:], weekly=True) if on and rest[1:] else None
        if not on and rest[1:]:
            raise ValueError("Turning the digest off takes no time: /narrate schedule digest off.")
        return ScheduleRequest("digest", channel=channel, on=on, timing=timing)
    if head == "managers":
        if len(rest) != 1 or rest[0].lower() not in ("admins", "members"):
            raise ValueError("Write /narrate schedule managers admins (or members).")
        return ScheduleRequest("managers", admins_only=rest[0].lower() == "admins")
    channel, rest = _leading_channel(words)
    if rest and not _reads_as_timing(rest):
        # routing sends "schedule unskp 2026-11-24" here, so it's explained, never kept.
        raise ValueError(f"There's no /narrate schedule {rest[0]}. {SCHEDULE_USAGE}")
    try:
        timing = parse_prompt_timing(rest, zone_spelling=zone_spelling, fields=fields)
    except ValueError as problem:
        if fields:
            raise  # about the field just filled in: the usage of typed text would bury it
        raise ValueError(f"{problem} {SCHEDULE_USAGE}") from None
    return ScheduleRequest("add", channel=channel, timing=timing, question=timing.question)


def _reads_as_timing(words: list[str]) -> bool:
    """Days first, or a time second: a timing, perhaps mistyped, which ``parse_timing``
    explains better than "no such command" ("weekday 16:30" → "'weekday' isn't a day")."""
    if len(words) > 1 and _TIMEISH.match(words[1]):
        return True
    try:
        parse_days(words[0])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class RemindRequest:
    action: str  # show | set | off
    timing: Timing | None = None


def parse_remind(arg: str) -> RemindRequest:
    words = arg.split()
    if not words:
        return RemindRequest("show")
    if [w.lower() for w in words] in (["off"], ["me", "off"], ["stop"]):
        return RemindRequest("off")
    if words[0].lower() == "me":
        words = words[1:]
    if len(words) != 2:
        raise ValueError(
            "Write /narrate remind me <days> <HH:MM>, like /narrate remind me weekdays 16:30 "
            "(in your own time zone), or /narrate remind off."
        )
    return RemindRequest("set", timing=parse_timing(words))
