"""The console's input lines, parsed into what was said, by whom, where (README: "Console").

alice: /narrate shipped the ledger migration      alice speaks in #general
alice@payments: …                                 … and alice's team is payments
bob in #infra: …     bob in dm: …                 a channel, or a DM with the bot
bob in #team thread: …   bob in #team thread m3: …  a reply in the thread of the channel's
                                                  latest bot post (or of post m3)
:channel #secret private alice,carol              declare a channel and its members
:channel #partner shared alice,pat                a channel shared with another organisation
:tz alice Europe/Berlin                           a person's time zone
:admin alice                                      alice administers the workspace
:guest pat                                        pat is a guest (or from another organisation)
:gone pat                                         pat's account was deactivated (or left)
:clock 2026-11-23T09:00:00+01:00   :advance 3d    move the simulated clock
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from narrate_bot.knowledge.durations import parse_duration

DEFAULT_CHANNEL = "general"

_SPEECH = re.compile(
    r"^(?P<user>[A-Za-z][\w.\-]{0,63})(?:@(?P<team>[\w.\-]{1,100}))?"
    r"(?:\s+in\s+(?P<where>#[\w\-]{1,80}|dm))?"
    # "https://…" is a link, never a speaker called https.
    r"(?P<in_thread>\s+thread(?:\s+(?P<thread>[\w\-]{1,40}))?)?\s*:(?!//)\s?(?P<text>.*)$",
    re.S,
)


class GrammarError(ValueError):
    """A line the console can't read; the message says how to write it."""


@dataclass(frozen=True)
class Speech:
    user: str
    text: str
    team: str | None = None
    channel: str | None = None  # None: the DM with the bot
    explicit_user: bool = True
    # A reply in a thread: the anchor's message id, or "" for the channel's latest bot post.
    thread: str | None = None
    # Only "name: text" (no team, place or thread): at the interactive prompt that may just as
    # well be someone's own text ("Update: shipped the importer"); ``line`` is what was typed.
    bare: bool = False
    line: str = ""


@dataclass(frozen=True)
class DeclareChannel:
    name: str
    kind: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class SetTimezone:
    user: str
    zone: str


@dataclass(frozen=True)
class SetAdmin:
    """The person administers the workspace (what Slack and Discord report as admin)."""

    user: str


@dataclass(frozen=True)
class SetGuest:
    """The person is a guest or from another organisation (what Slack reports as restricted or
    external): they can narrate, but not read what members narrated."""

    user: str


@dataclass(frozen=True)
class SetGone:
    """The person's account was deactivated, or they left the workspace: what Slack's
    ``user_change`` with ``deleted`` says. Speaking again brings them back."""

    user: str


@dataclass(frozen=True)
class SetClock:
    when: datetime


@dataclass(frozen=True)
class Advance:
    delta: timedelta


@dataclass(frozen=True)
class Meta:
    """``:help`` or ``:quit``."""

    name: str


Line = (
    Speech
    | DeclareChannel
    | SetTimezone
    | SetAdmin
    | SetGuest
    | SetGone
    | SetClock
    | Advance
    | Meta
)


def parse_iso(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise GrammarError(
            f"{text.strip()!r} isn't a time I can read; "
            "use ISO 8601 like 2026-11-23T09:00:00+01:00."
        ) from None
    if when.tzinfo is None:
        raise GrammarError("Give the time with its UTC offset, like 2026-11-23T09:00:00+01:00.")
    return when


def _directive(line: str) -> Line:
    name, _, rest = line[1:].partition(" ")
    args = rest.split()
    match name.lower():
        case "channel":
            if len(args) < 2 or not args[0].startswith("#"):
                raise GrammarError("Write :channel #name public|private|shared [alice,bob].")
            kind = args[1].lower()
            if kind not in ("public", "private", "shared"):
                raise GrammarError(f"A channel is public, private or shared, not {args[1]!r}.")
            # Names as speakers are read (lowercase), channels as Slack names them (lowercase).
            members = tuple(m.lower() for m in ",".join(args[2:]).split(",") if m)
            if kind == "public" and members:
                raise GrammarError(
                    "Everyone is a member of a public channel; list members only for private ones."
                )
            return DeclareChannel(name=args[0][1:].lower(), kind=kind, members=members)
        case "tz":
            if len(args) != 2:
                raise GrammarError("Write :tz NAME Area/City, for example :tz alice Europe/Berlin.")
            return SetTimezone(user=args[0].lower(), zone=args[1])
        case "admin":
            if len(args) != 1:
                raise GrammarError("Write :admin NAME, for example :admin alice.")
            return SetAdmin(user=args[0].lower())
        case "guest":
            if len(args) != 1:
                raise GrammarError("Write :guest NAME, for example :guest pat.")
            return SetGuest(user=args[0].lower())
        case "gone":
            if len(args) != 1:
                raise GrammarError("Write :gone NAME, for example :gone pat.")
            return SetGone(user=args[0].lower())
        case "clock":
            if not args:
                raise GrammarError("Write :clock 2026-11-23T09:00:00+01:00.")
            return SetClock(when=parse_iso(args[0]))
        case "advance":
            if len(args) != 1:
                raise GrammarError("Write :advance 3d (or 90m, 8h, 2w).")
            try:
                return Advance(delta=parse_duration(args[0]))
            except ValueError as problem:
                raise GrammarError(str(problem)) from None
        case "help" | "quit" | "exit":
            return Meta(name="quit" if name.lower() == "exit" else name.lower())
    raise GrammarError(f"I don't know :{name}. Try :help.")


def parse_line(line: str, *, default_user: str | None = None) -> Line | None:
    """One input line; ``None`` for a blank line or a ``#`` comment (scripts can be annotated)."""
    stripped = line.strip()
    if not stripped or stripped.startswith("# "):
        return None
    if stripped.startswith(":"):
        return _directive(stripped)
    match = _SPEECH.match(stripped)
    if match:
        where = match.group("where")
        channel = None if where == "dm" else (where[1:].lower() if where else DEFAULT_CHANNEL)
        return Speech(
            user=match.group("user").lower(),
            text=match.group("text").strip(),
            team=match.group("team"),
            channel=channel,
            thread=(match.group("thread") or "") if match.group("in_thread") else None,
            bare=not (match.group("team") or where or match.group("in_thread")),
            line=stripped,
        )
    if default_user is not None:
        return Speech(
            user=default_user, text=stripped, channel=DEFAULT_CHANNEL, explicit_user=False
        )
    raise GrammarError('Start a line with who speaks, like "alice: /narrate shipped the importer".')
