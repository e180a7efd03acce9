"""Voluntary participation: join, pause, resume, leave. Nobody is enrolled until they act."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfoNotFoundError

from ..knowledge.days import UNTIL_WORDS, PassedDay, read_day
from ..knowledge.durations import MAX_DURATION, Calendar, parse_duration
from ..knowledge.fire_times import zone_named
from ..replies import Reply
from ..storage import expertise_repo as prefs_repo
from ..storage import intro_repo
from ..storage.preference_tables import FOLLOW
from ..storage.tables import Person
from .server_scope import only_here
from .turn import Turn

JOINED, LEFT, NONE = "joined", "left", "none"


def enroll(person: Person, now: datetime) -> str | None:
    """Enrol someone who acted (narrated or joined); returns a line to tell them, if any."""
    if person.consent == JOINED:
        return None
    came_back = person.consent == LEFT
    person.consent = JOINED
    person.joined_at = now
    if came_back:
        message = "Welcome back: you're taking part again. /narrate leave stops it any time."
    else:
        message = (
            "You're now taking part in narrate-bot. /narrate pause 2w takes a break, "
            "/narrate leave stops, /narrate help shows everything."
        )
    if _paused(person, now) and person.paused_until is not None:
        # A pause taken before leaving still runs, whatever brought them back (a narration,
        # a reminder, introductions): say so, or "welcome back" promises too much.
        message += (
            f"\nYou're still paused until {_local(person.paused_until, person.timezone)}: no "
            "prompts, and you won't be suggested in answers until then. /narrate resume ends "
            "the pause."
        )
    return message


# Said to someone who left whenever they pause or resume: leaving outlasts any pause, so neither
# may sound as if they will be suggested or prompted again without joining.
_LEFT = (
    "You've left narrate-bot: no prompts, and you aren't suggested to anyone. "
    "/narrate join brings you back."
)


def _paused(person: Person, now: datetime) -> bool:
    return person.paused_until is not None and person.paused_until > now


async def join(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        message = enroll(person, turn.now)
        paused = _paused(person, turn.now)
        session.add(person)
    if message is None:
        extra = " You're paused for now; /narrate resume ends the pause." if paused else ""
        return [turn.reply("You're already taking part." + extra)]
    return [turn.reply(message)]


async def pause(turn: Turn, arg: str) -> list[Reply]:
    if not arg.strip():
        return [turn.reply("For how long? For example /narrate pause 3d or /narrate pause 2w.")]
    head, _, day = arg.strip().partition(" ")
    by_date = head.lower() in UNTIL_WORDS
    calendar: Calendar | None = None
    try:
        if by_date:
            # Read on the person's calendar before anything is written: a day that isn't one
            # is explained without storing them.
            async with turn.reading() as session:
                calendar = await turn.calendar(session)
            until = _until_day(day, calendar, turn.now)
        else:
            until = turn.now + parse_duration(arg)
    except ValueError as problem:
        return [turn.reply(str(problem))]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        if person.consent == LEFT:
            # Leaving already stops everything a pause would; a pause stored now would only
            # surprise them after they join again. Nothing is changed.
            return [
                turn.reply(
                    f"{_LEFT} There's nothing to pause; after joining, /narrate pause {arg.strip()}"
                    " takes a break."
                )
            ]
        person.paused_until = until
        session.add(person)
        zone = person.timezone
        if calendar is not None:
            zone = calendar.zone.key  # the date was read on this calendar: shown on it
    return [
        turn.reply(
            f"Paused until {_local(until, zone)}: no prompts, and you won't be suggested "
            "in answers until then. /narrate resume ends the pause early."
            + only_here(turn, "other servers I'm in carry on as before.")
        )
    ]


def _until_day(text: str, calendar: Calendar, now: datetime) -> datetime:
    """The start of the day ``text`` names, on the person's calendar (their time zone, else the
    workspace's, else UTC): ``pause until 2026-12-28`` is back on the 28th. ``ValueError``
    with a message to show for a day that isn't one, has passed, or is a year away."""
    later = (calendar.today + timedelta(days=14)).isoformat()
    example = f"for example /narrate pause until {later}, until friday or until 28 dec"
    if not text.strip():
        raise ValueError(f"Until when? Give a date, {example}.")
    try:
        day = read_day(text, calendar.today)
    except PassedDay as problem:
        raise ValueError(f"{problem} Nothing was changed.") from None
    except ValueError as problem:
        raise ValueError(f"{problem} Give a date, {example}; or a duration like 2w.") from None
    if day < calendar.today:
        raise ValueError(
            f"{day.isoformat()} has already passed (today is {calendar.today.isoformat()} "
            f"in {calendar.zone.key}). Pick a later date, {example}."
        )
    if day == calendar.today:
        raise ValueError(
            "That's today: pause until a later date, or for a few hours with /narrate pause 8h."
        )
    until = datetime.combine(day, time(0), tzinfo=calendar.zone).astimezone(UTC)
    if until - now > MAX_DURATION:
        raise ValueError("That's more than a year away; use /narrate leave to stop for good.")
    return until


def _local(moment: datetime, zone: str | None) -> str:
    """In the person's own time zone when we know it, else in UTC, and labelled either way."""
    try:
        where = zone_named(zone) if zone else UTC
    except (ValueError, ZoneInfoNotFoundError):
        where = UTC
    return f"{moment.astimezone(where):%Y-%m-%d %H:%M} {zone if where is not UTC else 'UTC'}"


async def resume(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        left = person is not None and person.consent == LEFT
        if person is None or not _paused(person, turn.now):
            return [turn.reply("You weren't paused." + (f" {_LEFT}" if left else ""))]
        person.paused_until = None
        session.add(person)
    if left:
        # The pause is over, but leaving isn't: "welcome back" would promise answers and prompts.
        return [turn.reply(f"Your pause is over, but that alone changes nothing. {_LEFT}")]
    return [turn.reply("Welcome back: your pause is over.")]


async def leave(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None or person.consent != JOINED:
            return [turn.reply("You're not taking part, so there's nothing to leave.")]
        person.consent = LEFT
        session.add(person)
        assert person.id is not None
        # Followed topics are kept, like hide-me, ask-me-about and reminders: "/narrate join
        # brings you back" brings them back too. No digest goes out meanwhile: its turn finds
        # them not taking part and skips the week (follow_digest.compose), their
        # ``follow_schedule`` row moving on to the next Monday as for a pause.
        followed = [
            p.topic
            for p in await prefs_repo.preferences_of(session, person_id=person.id, kind=FOLLOW)
        ]
        # Questions are remembered for introductions only while the person takes part.
        await intro_repo.forget_asked(session, person_id=person.id)
    follows = (
        f" Your follows ({', '.join(followed)}) are kept, but no weekly message is sent while "
        f"you're away; /narrate unfollow all drops {'it' if len(followed) == 1 else 'them'}."
        if followed
        else ""
    )
    return [
        turn.reply(
            f"You've left: no more prompts, and you won't be suggested to anyone.{follows} "
            "Your narrations stay yours: /narrate export downloads them, /narrate forget-me "
            "erases everything, and /narrate join brings you back."
        )
    ]
