"""What people and workspaces say to the introductions: take part, where and how they're
delivered, never-pair wishes, how an introduction went, and the outcome statistics.

Outcomes, not activity: statistics count introductions and ties, never a person; a team's own
figure is shown only when at least ``MIN_GROUP`` of its people take part.

Where introductions are posted is for workspace admins (``UserRef.is_admin``) alone, like the
open-questions channel once set: whoever picks the channel chooses who reads every introduction.
Unlike open questions there is no first free choice, since introductions work without a channel
(by direct message: a group DM on Slack, one DM each on Discord) and the first choice is the one
that moves them in front of a channel's readers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from ..events import ChannelKind, CommandInvoked, MessageReceived, Platform
from ..knowledge.days import UNTIL_WORDS, PassedDay, read_day
from ..knowledge.durations import MAX_DURATION, Calendar
from ..knowledge.topics import is_topic_in_text, normalize_topic
from ..knowledge.words import query_terms
from ..replies import Reply
from ..routing import Command
from ..storage import expertise_repo, intro_repo, intro_stats, question_repo, who_knows_repo
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.tables import Channel, Person
from .channels import named_channel, not_seen
from .consent import enroll
from .introductions import (
    BIWEEKLY,
    CADENCE_KEY,
    CHANNEL_KEY,
    DELIVERIES,
    DELIVERY_KEY,
    LOOKBACK,
    SAME_TEAM_KEY,
    next_round,
    platform_wide_never_pairs,
    text_start,
)
from .turn import Turn

MIN_GROUP = 5
SKIP_FOR = timedelta(days=7)  # always covers exactly the next weekly run
# How introductions are named to people: with the workspace's actual cadence, so nobody where
# rounds run every other week is promised a weekly one (``_named``).
WEEKLY_NAME = "the weekly introductions"
BIWEEKLY_NAME = "the introductions, which run every other week here"


async def _named(turn: Turn, session: Session) -> str:
    tenant = await turn.tenant(session)
    biweekly = tenant.id is not None and await _biweekly(session, tenant.id)
    return BIWEEKLY_NAME if biweekly else WEEKLY_NAME


async def join(turn: Turn) -> list[Reply]:
    try:
        async with turn.db.transaction() as session:
            tenant = await turn.tenant(session)
            person = await turn.author(session, tenant)  # held: a forget-me waits, or went first
            # Joining introductions is taking part in narrate-bot: say so, above all to someone
            # who had left, whose reminders and answers come back with it.
            welcome = enroll(person, turn.now)
            session.add(person)
            added = await intro_repo.join(session, person=person, now=turn.now)
            assert person.id is not None
            narrated = bool(await repo.recent_narrations(session, person_id=person.id, limit=1))
            named = await _named(turn, session)
    except repo.PersonErased:
        return [
            turn.reply(
                "Your forget-me went through just as this arrived, so I didn't add you: nothing "
                "about you is stored. /narrate intros join starts afresh."
            )
        ]
    if not added:
        text = f"You're already in {named}."
        return [turn.reply(text + (f"\n{welcome}" if welcome else ""))]
    often = "once a week" if named == WEEKLY_NAME else "every other week"
    text = (
        f"You're in {named}: {often} I may introduce you to someone in "
        "another team whose narrations touch yours, and say why. Topics you ask me "
        "“who knows about …?” can be part of the reason. /narrate intros leave stops it; "
        "/narrate never-pair @name keeps someone away, privately."
    )
    if not narrated:
        text += " Narrate what you work on (/narrate <text>) so I have something to go on."
    return [turn.reply(text + (f"\n{welcome}" if welcome else ""))]


async def leave(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        left = person is not None and await intro_repo.leave(session, person_id=_pk(person))
        named = await _named(turn, session)
    if not left:
        return [turn.reply(f"You're not in {named}; /narrate intros join adds you.")]
    return [
        turn.reply(
            f"You've left {named}. Your past introductions stay in your export; "
            "/narrate intros join brings you back."
        )
    ]


SKIP_WEEKS = 12  # the most "skip 3w" takes; longer is "skip until <date>" (up to a year)
SKIP_FORMS = (
    "/narrate intros skip (your next round), /narrate intros skip 3w (1 to 12 weeks), "
    "/narrate intros skip until <date> (e.g. until 11 jan) or /narrate intros skip off (back in "
    "from the next round)"
)
_WEEKS = re.compile(r"^(\d{1,4}) ?(?:w|wk|wks|weeks?)$")
_OFF = ("off", "cancel", "stop", "none", "no")
_NEXT_ROUND = ("", "next week", "1w", "1 week")  # the plain skip: the button's, next round's


class _Unclear(ValueError):
    """A skip or cadence nobody can act on; its message is the friendly reply."""


def _skip_until(arg: str, calendar: Calendar, now: datetime) -> datetime | None:
    """When a ``skip`` ends (``None``: it is cancelled). ``_Unclear`` says why it can't be."""
    words = " ".join(arg.lower().split())
    if words in _NEXT_ROUND:
        return now + SKIP_FOR
    if words in _OFF:
        return None
    head, _, day = words.partition(" ")
    if head in UNTIL_WORDS:
        return _until_day(day, calendar, now)
    weeks = _WEEKS.match(words)
    if weeks is None:
        raise _Unclear(f"I can't read “{arg.strip()}” as a skip. Say {SKIP_FORMS}.")
    count = int(weeks.group(1))
    if not 1 <= count <= SKIP_WEEKS:
        raise _Unclear(
            f"Skip 1 to {SKIP_WEEKS} weeks at a time, or to a date with /narrate intros skip "
            "until <date> (up to a year); /narrate intros leave stops introductions for good."
        )
    return now + count * SKIP_FOR


def _until_day(text: str, calendar: Calendar, now: datetime) -> datetime:
    """The start of the day ``text`` names, on the person's calendar, as ``pause until`` reads
    it: back in from the first round on or after that day."""
    later = (calendar.today + timedelta(days=28)).isoformat()
    example = f"for example /narrate intros skip until {later} or until 11 jan"
    if not text.strip():
        raise _Unclear(f"Until when? Give a date, {example}.")
    try:
        day = read_day(text, calendar.today)
    except PassedDay as problem:
        raise _Unclear(f"{problem} Nothing was changed.") from None
    except ValueError as problem:
        raise _Unclear(f"{problem} Give a date, {example}; or a number of weeks like 3w.") from None
    if day <= calendar.today:
        passed = "is today" if day == calendar.today else "has already passed"
        raise _Unclear(
            f"{day.isoformat()} {passed} (today is {calendar.today.isoformat()} in "
            f"{calendar.zone.key}): pick a later date, {example}. Nothing was changed."
        )
    until = datetime.combine(day, time(0), tzinfo=calendar.zone).astimezone(UTC)
    if until - now > MAX_DURATION:
        raise _Unclear(
            "That's more than a year away; /narrate intros leave stops introductions for good "
            "(and /narrate intros join brings you back). Nothing was changed."
        )
    return until


async def skip(turn: Turn, arg: str = "") -> list[Reply]:
    """No introductions for a while: next week (the button, ``skip``), some weeks, until a
    day, or none of it any more (``skip off``)."""
    async with turn.db.transaction() as session:
        calendar = await turn.calendar(session)
        try:
            until = _skip_until(arg, calendar, turn.now)
        except _Unclear as problem:
            return [turn.reply(str(problem))]
        person = await _held(turn, session)
        row = (
            None if person is None else await intro_repo.participant(session, person_id=_pk(person))
        )
        if row is None:
            named = await _named(turn, session)
            return [turn.reply(f"You're not in {named}, so there's nothing to skip.")]
        was = row.skip_until if row.skip_until and row.skip_until > turn.now else None
        skipped = None  # the round a plain skip leaves them out of, named by its date
        if " ".join(arg.lower().split()) in _NEXT_ROUND:
            # The next round that runs: today's when it is still to come (said on a Monday
            # before 10:00, "next week" was today's round), and in a workspace with a round
            # every other week, not the week right after one.
            skipped = await next_round(session, tenant_id=row.tenant_id, now=turn.now)
            if skipped is not None:
                until = turn.now + SKIP_FOR * ((skipped - turn.now) // SKIP_FOR + 1)
        row.skip_until = until
        session.add(row)
    if until is None:
        if was is None:
            return [turn.reply("You weren't skipping introductions: you're in every round.")]
        return [turn.reply("Done: you're back in the introductions from the next round.")]
    if skipped is not None:
        return [
            turn.reply(
                f"Done: no introduction for you in the next round ({calendar.dated(skipped)}); "
                "you're back in from the round after. /narrate intros skip off undoes it."
            )
        ]
    if not arg.strip():  # no round is due in the next three weeks (``next_round``)
        return [
            turn.reply(
                f"Done: no introductions for you until {calendar.dated(until)} (no round is due "
                "before then); you're back in from the first round after that. /narrate intros "
                "skip off undoes it."
            )
        ]
    return [
        turn.reply(
            f"Done: no introductions for you until {calendar.dated(until)}; you're back in from "
            "the first round after that. /narrate intros skip off undoes it."
        )
    ]


_EVERY = {
    "week": 1, "weekly": 1, "other week": 2, "biweekly": 2, "fortnight": 2, "fortnightly": 2,
    "month": 4, "monthly": 4,
}  # fmt: skip
EVERY_WEEKS = (1, 2, 4)
EVERY_FORMS = (
    "/narrate intros every week, /narrate intros every 2w or /narrate intros every 4w (monthly)"
)


async def every(turn: Turn, arg: str) -> list[Reply]:
    """At most how often someone is introduced: every round (weekly), or after 2 or 4 weeks
    counted from their latest introduction."""
    words = " ".join(arg.lower().split()).removeprefix("every ")
    count = _WEEKS.match(words)
    weeks = int(count.group(1)) if count else _EVERY.get(words)
    if weeks not in EVERY_WEEKS:
        weeks = None
    if words and weeks is None:
        return [turn.reply(f"I can't read “{arg.strip()}” as how often. Say {EVERY_FORMS}.")]
    async with turn.db.transaction() as session:
        person = await (turn.known_person(session) if weeks is None else _held(turn, session))
        row = (
            None if person is None else await intro_repo.participant(session, person_id=_pk(person))
        )
        if person is None or row is None:
            named = await _named(turn, session)
            return [turn.reply(f"You're not in {named}; /narrate intros join adds you.")]
        key = intro_repo.every_key(_pk(person))
        if weeks is None:
            current = await repo.get_setting(session, tenant_id=row.tenant_id, key=key)
            line = _every_line(int(current or 1), await _biweekly(session, row.tenant_id))
            return [turn.reply(f"{line} Change it with {EVERY_FORMS}.")]
        await repo.set_setting(
            session,
            tenant_id=row.tenant_id,
            key=key,
            value=None if weeks == 1 else str(weeks),
            now=turn.now,
        )
        biweekly = await _biweekly(session, row.tenant_id)
    if weeks == 1:
        again = "in every round" if biweekly else "every week"
        return [turn.reply(f"Done: you may be introduced {again} again.")]
    return [
        turn.reply(
            f"Done: at most one introduction every {weeks} weeks: after one, you're not "
            f"introduced again until {weeks} weeks have passed. {_every_here(weeks, biweekly)} "
            "/narrate intros every week undoes it."
        )
    ]


def _every_here(weeks: int, biweekly: bool) -> str:
    """What ``every`` means with the workspace's rounds as they run now."""
    if not biweekly:
        rounds = "the next round" if weeks == 2 else f"the next {weeks - 1} rounds"
        return f"Rounds run every week here, so you're left out of {rounds} after each one."
    if weeks == 2:
        return (
            "Rounds run every other week here, so that changes nothing for now: you may be in "
            "each one."
        )
    return "Rounds run every other week here, so you're left out of the next round after each one."


def _every_line(weeks: int, biweekly: bool = False) -> str:
    if weeks <= 1:
        if biweekly:  # not "every week": rounds run every other week there
            return "You may be introduced in every round (every other week here)."
        return "You may be introduced every week."
    return f"You're introduced at most every {weeks} weeks, counted from your latest one."


_CADENCES = {
    "weekly": None, "week": None, "every week": None, "1w": None,
    BIWEEKLY: BIWEEKLY, "every other week": BIWEEKLY, "fortnightly": BIWEEKLY,
    "every 2 weeks": BIWEEKLY, "2w": BIWEEKLY,
}  # fmt: skip
CADENCE_FORMS = (
    "/narrate intros cadence weekly (the default) or /narrate intros cadence biweekly (every "
    "other week)"
)


async def set_cadence(turn: Turn, arg: str) -> list[Reply]:
    """How often the workspace's rounds run (admins): weekly, or every other week."""
    words = " ".join(arg.lower().split())
    if words and words not in _CADENCES:
        return [turn.reply(f"I can't read “{arg.strip()}” as a cadence. Say {CADENCE_FORMS}.")]
    if not words:
        async with turn.reading() as session:
            tenant = await turn.tenant(session)
            assert tenant.id is not None
            current = await repo.get_setting(session, tenant_id=tenant.id, key=CADENCE_KEY)
        said = "every other week" if current == BIWEEKLY else "every week"
        return [
            turn.reply(f"Introductions run {said} here. Admins change it with {CADENCE_FORMS}.")
        ]
    if not turn.event.user.is_admin:
        return [_admins_only(turn, "how often introductions run")]
    choice = _CADENCES[words]
    await _set(turn, CADENCE_KEY, choice)
    if choice == BIWEEKLY:
        return [
            turn.reply(
                "Introductions now run every other week: the week after a round has none (and "
                "no follow-up). /narrate intros cadence weekly goes back to every week."
            )
        ]
    return [turn.reply("Introductions now run every week.")]


async def set_channel(turn: Turn, command: Command) -> list[Reply]:
    if not command.arg:
        return [
            turn.reply(
                "Which channel? For example /narrate intros channel #intros, or "
                "/narrate intros channel here."
            )
        ]
    here = command.arg == "here"
    if here and turn.in_dm:
        return [turn.reply("Introductions can't be posted in a DM; name a channel instead.")]
    if not turn.event.user.is_admin:
        return [_admins_only(turn, "where introductions are posted")]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        if here:
            target: Channel | None = await turn.channel(session, tenant)
        else:
            # Only a channel of this workspace the bot has seen: an id typed by hand may be a
            # channel of another server (Discord's ids reach every guild the bot is in), and
            # one never seen has no known readers (a Slack Connect channel reads nothing).
            plain = command.hint == command.arg
            target = await named_channel(
                session,
                tenant_id=tenant.id,
                user=turn.event.user,
                channel_id=None if plain else command.arg,
                name=command.arg if plain else None,
            )
        if target is None:
            return [turn.reply(not_seen(command.hint or command.arg))]
        if target.kind == ChannelKind.DIRECT.value:
            return [turn.reply("Introductions can't be posted in a DM; name a channel instead.")]
        await repo.set_setting(
            session, tenant_id=tenant.id, key=CHANNEL_KEY, value=target.channel_id, now=turn.now
        )
    return [
        turn.reply(
            f"Introductions will be posted in #{target.name}. /narrate intros delivery dm sends "
            "them only by direct message."
        )
    ]


async def set_delivery(turn: Turn, command: Command) -> list[Reply]:
    choice = command.arg.lower()
    if choice not in DELIVERIES:
        return [
            turn.reply(
                "Deliver introductions how? /narrate intros delivery channel (a post in the "
                "introductions channel), dm (by direct message to the people introduced) or both."
            )
        ]
    if not turn.event.user.is_admin:
        return [_admins_only(turn, "how introductions are delivered")]
    await _set(turn, DELIVERY_KEY, choice)
    described = {
        "channel": "as a post in the introductions channel",
        "dm": "by direct message to the people introduced",
        "both": "in the introductions channel and by direct message",
    }[choice]
    return [turn.reply(f"Introductions will be delivered {described}.")]


async def set_same_team(turn: Turn, command: Command) -> list[Reply]:
    choice = command.arg.lower()
    if choice not in ("on", "off"):
        return [
            turn.reply(
                "/narrate intros same-team on lets two people of one team be introduced; "
                "off (the default) keeps introductions across teams."
            )
        ]
    if not turn.event.user.is_admin:
        return [_admins_only(turn, "whether introductions may stay inside a team")]
    await _set(turn, SAME_TEAM_KEY, "allowed" if choice == "on" else None)
    if choice == "on":
        return [turn.reply("Introductions may now pair two people of the same team.")]
    return [turn.reply("Introductions will only pair people of different teams.")]


async def never_pair(turn: Turn, command: Command) -> list[Reply]:
    """Add (``arg``), remove (``hint == "remove"``) or list the actor's never-pair wishes."""
    if command.hint == "list":
        async with turn.db.transaction() as session:
            person = await turn.known_person(session)
            others = (
                []
                if person is None
                else await intro_repo.never_pair_list(session, person_id=_pk(person))
            )
            known = (
                []
                if person is None
                else [
                    await repo.find_person(session, tenant_id=person.tenant_id, user_id=o)
                    for o in others
                ]
            )
        if not others:
            return [
                turn.reply("Your never-pair list is empty. /narrate never-pair @name adds someone.")
            ]
        # Named, so each platform shows the person (and, privately here, pings nobody).
        names = {p.user_id: p.display_name or p.user_id for p in known if p is not None}
        listed = ", ".join(f"<@{o}>" for o in others)
        reply = turn.reply(f"Only you see this. I never introduce you to: {listed}.")
        return [reply.model_copy(update={"names": names})]
    if not command.arg:
        return [
            turn.reply(
                "Who? /narrate never-pair @name (private: nobody is told), "
                "/narrate never-pair remove @name, or /narrate never-pair list."
            )
        ]
    remove = command.hint == "remove"
    mentioned = _platform_mention(turn, command.arg)
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        other = await expertise_repo.person_by_mention(
            session,
            tenant_id=tenant.id,
            user_id=command.arg,
            name=None if mentioned else command.arg,
        )
        if other is None and not (mentioned or remove):
            return [
                turn.reply(
                    f"I don't know anyone called @{command.arg} here: nobody by that name has "
                    "used narrate-bot, and only people who join are introduced. Check the "
                    "spelling, or add them once they've joined. Nothing was saved."
                )
            ]
        other_id = other.user_id if other is not None else command.arg
        if other_id == turn.event.user.user_id:
            return [turn.reply("That's you: I never introduce you to yourself.")]
        person = await turn.author(session, tenant)
        changed = await intro_repo.set_never_pair(
            session, person=person, other_user_id=other_id, never=not remove, now=turn.now
        )
        if remove and not changed and other_id != command.arg:
            # A wish kept under the typed name, from before names were looked up.
            changed = await intro_repo.set_never_pair(
                session, person=person, other_user_id=command.arg, never=False, now=turn.now
            )
    who = f"<@{other_id}>"
    if remove:
        text = (
            f"Removed: {who} may be introduced to you again."
            if changed
            else f"{who} wasn't on your never-pair list."
        )
    elif changed:
        # A Slack user id means one person within one workspace, so the wish holds here alone;
        # a Discord id is one person everywhere, and the wish holds in every server.
        where = (
            ""
            if platform_wide_never_pairs(turn.event.tenant.platform)
            or turn.event.tenant.platform is Platform.CONSOLE
            else " This holds in this workspace."
        )
        text = (
            f"Done: I'll never introduce you to {who}. Nobody is told, including them.{where} "
            f"/narrate never-pair remove {who} undoes it."
        )
    else:
        text = f"{who} is already on your never-pair list."
    names = {other_id: other.display_name or other_id} if other is not None else {}
    return [turn.reply(text).model_copy(update={"names": names})]


def _platform_mention(turn: Turn, user_id: str) -> bool:
    """Was the person named by a platform mention (``<@U123>``)? Slack and Discord make one only
    for a real member picked from the @ list, so the wish holds for someone who hasn't used the
    bot yet: it is there before they ever join. A typed ``@name`` is only a name, and one nobody
    here has is refused rather than kept as a wish that can never match anyone."""
    event = turn.event
    text = event.text if isinstance(event, CommandInvoked | MessageReceived) else ""
    return re.search(rf"<@!?{re.escape(user_id)}(?:\|[^>]*)?>", text) is not None


MINE_SHOWN = 5
# Rounds pair people by what they narrated (``introductions.LOOKBACK``) where others may read it:
# someone in with nothing of that kind is never picked, and waited for rounds that passed them.
NOTHING_NARRATED = (
    " Only people who narrated in the last three months, where colleagues can read it, take "
    "part: /narrate <what you're working on> in a channel (one kept in a DM counts once you "
    "/narrate share it)."
)
# An introduction every post of failed or was refused, none still being sent: listed (it was
# made), never asked about.
NOT_SENT = "it hasn't reached you or them, so there's nothing to answer"
_ANSWERS = {intro_repo.MET: "you met", intro_repo.NOT_USEFUL: "not useful, you said"}


async def mine(turn: Turn) -> list[Reply]:
    """My latest introductions again, privately: where a DM never arrived (Discord refuses DMs
    some people closed), this is how they read it, and how they answer it later."""
    async with turn.reading() as session:
        person = await turn.known_person(session)
        shown = (
            []
            if person is None
            else await intro_repo.my_introductions(session, person=person, limit=MINE_SHOWN)
        )
        sending = (
            set()
            if person is None
            else await _being_sent(
                session,
                tenant_id=person.tenant_id,
                numbers=[item.number for item in shown if not item.went_out],
            )
        )
        calendar = await turn.calendar(session)
        pace = await _pace(turn, session, person, calendar)
        named = await _named(turn, session)
        taking_part = (
            None
            if person is None or shown
            else await intro_repo.participant(session, person_id=_pk(person))
        )
        upcoming = (
            None
            if taking_part is None
            else await next_round(session, tenant_id=taking_part.tenant_id, now=turn.now)
        )
        narrated = (
            person is not None
            and taking_part is not None
            and bool(
                await intro_repo.narrated_topics(
                    session, person_ids=[_pk(person)], since=turn.now - LOOKBACK, before=turn.now
                )
            )
        )
    if not shown and taking_part is not None:
        # Someone who joined was told to join: they are in, and the next round says when.
        when = f" The next round is {calendar.dated(upcoming)}." if upcoming is not None else ""
        return [
            turn.reply(
                f"You're in the introductions; nobody yet.{when}"
                + ("" if narrated else NOTHING_NARRATED)
                + " /narrate intros help lists the rest."
                + pace
            )
        ]
    if not shown:
        return [
            turn.reply(
                "You haven't been introduced to anyone yet. /narrate intros join takes part in "
                f"{named}; /narrate intros help lists the rest." + pace
            )
        ]
    lines = ["Your latest introductions:"]
    names: dict[str, str] = {}
    for item in shown:
        who = []
        for other in item.others:
            names[other.user_id] = other.display_name or other.user_id
            who.append(f"<@{other.user_id}>" + (f" ({other.team})" if other.team else ""))
        about = f" · about {', '.join(item.topics)}" if item.topics else ""
        answer = _ANSWERS.get(item.outcome or "") or (
            f"how did it go? /narrate intros met {item.number} or not-useful {item.number}"
            if item.went_out or item.number in sending
            else NOT_SENT
        )
        # Whoever erased themselves since has no row left to name: never a blank, never them.
        met = " and ".join(who) or "someone who has since left"
        when = calendar.dated(item.created_at)
        lines.append(f"#{item.number} ({when}): {met}{about} · {answer}")
    return [turn.reply("\n".join(lines) + pace).model_copy(update={"names": names})]


async def _pace(turn: Turn, session: Session, person: Person | None, calendar: Calendar) -> str:
    """What someone taking part chose about their pace, as lines to add to ``mine``: until when
    they skip, and how often at most they are introduced (nothing when it is every week)."""
    row = None if person is None else await intro_repo.participant(session, person_id=_pk(person))
    if person is None or row is None:
        return ""
    lines = []
    if row.skip_until is not None and row.skip_until > turn.now:
        lines.append(
            f"You're skipping introductions until {calendar.dated(row.skip_until)}; "
            "/narrate intros skip off brings you back from the next round."
        )
    weeks = await repo.get_setting(
        session, tenant_id=row.tenant_id, key=intro_repo.every_key(_pk(person))
    )
    if weeks and weeks.isdigit() and int(weeks) > 1:
        lines.append(f"{_every_line(int(weeks))} /narrate intros every week undoes it.")
    return "".join(f"\n{line}" for line in lines)


async def _being_sent(session: Session, *, tenant_id: int, numbers: list[int]) -> set[int]:
    """Which of these introductions not yet delivered still have a send under way."""
    if not numbers:
        return set()
    return await intro_repo.being_sent(
        session, tenant_id=tenant_id, text_starts={n: text_start(n) for n in numbers}
    )


async def outcome(turn: Turn, command: Command, *, result: str) -> list[Reply]:
    if command.ordinal is None:
        return [turn.reply("Which introduction? For example /narrate intros met 12.")]
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        introduction = (
            None
            if person is None
            else await intro_repo.introduction_of(session, person=person, number=command.ordinal)
        )
        if person is None or introduction is None or introduction.id is None:
            return [turn.reply(f"Introduction #{command.ordinal} isn't one of yours.")]
        if introduction.delivered_at is None and not await _being_sent(
            session, tenant_id=person.tenant_id, numbers=[introduction.number]
        ):
            # It reached nobody, and no send of it is left: nothing to have met through, and
            # stats wouldn't count it. One still being sent (its group DM part-way through its
            # members, ``delivered_at`` written with the outcome) may have reached whoever
            # answers: kept, and counted once it is delivered.
            return [
                turn.reply(
                    f"Introduction #{command.ordinal} hasn't reached you or them (it didn't go "
                    "out), so there's nothing to answer about it. /narrate intros lists yours."
                )
            ]
        await intro_repo.set_feedback(
            session,
            introduction_id=introduction.id,
            person_id=_pk(person),
            outcome=result,
            now=turn.now,
        )
    if result == intro_repo.MET:
        return [turn.reply("Glad you met! Thanks for telling me.")]
    return [
        turn.reply(
            "Thanks, noted: I'll weigh what that introduction was about less for you from now "
            "on. Nobody else is told."
        )
    ]


async def stats(turn: Turn) -> list[Reply]:
    async with turn.reading() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        figures = await intro_stats.outcomes(session, tenant_id=tenant.id, now=turn.now)
        answered = await question_repo.answered_count(session, tenant_id=tenant.id)
        credited = await question_repo.credited_count(session, tenant_id=tenant.id)
        helped = await who_knows_repo.helped(session, tenant_id=tenant.id)
    # Questions from the open-questions channel whose askers said they got their answer
    # (``ask-channel answered``): an outcome of people finding each other, like a meeting.
    credits = f", {credited} of them credited to the person who answered" if credited else ""
    asked = (
        f"\n• {_count(answered, 'open question')} answered in the open-questions channel "
        f"(its asker said so{credits})"
        if answered
        else ""
    )
    # Who-knows answers their askers said helped: counted for the workspace, and only once
    # enough different people asked that the figure says nothing about any one of them.
    if helped.answers and helped.askers >= MIN_GROUP:
        asked += (
            f"\n• who-knows answers that helped: {helped.helped} of {helped.answers} asked "
            "(their askers said so)"
        )
    elif helped.answers:
        asked += (
            f"\n• who-knows answers that helped: shown once at least {MIN_GROUP} people have asked"
        )
    if figures.suggested == 0:
        if turn.event.user.guest:  # they can't join: don't invite them to
            return [turn.reply("No introductions yet." + asked)]
        return [turn.reply("No introductions yet. /narrate intros join takes part." + asked)]
    lines = [
        "Introductions so far (outcomes only, never per person):",
        f"• {figures.suggested} suggested",
        f"• {figures.happened} happened (someone told me they met)",
        f"• {_count(figures.cross_team_ties, 'cross-team tie')} formed (pairs of teams that met)",
        f"• {_count(figures.questions_answered, 'question')} answered through an introduction "
        "(someone's “who knows” question was the reason, and they met)",
    ]
    shown = sorted(t for t, n in figures.participants_by_team.items() if n >= MIN_GROUP)
    for team in shown:
        lines.append(f"• {team}: {figures.happened_by_team.get(team, 0)} happened")
    if len(shown) < len(figures.participants_by_team):
        lines.append(f"Teams with fewer than {MIN_GROUP} people taking part aren't shown alone.")
    return [turn.reply("\n".join(lines) + asked)]


async def intros_help(turn: Turn, word: str) -> list[Reply]:
    prefix = f"I don't know /narrate intros {word}. " if word and word != "help" else ""
    async with turn.reading() as session:
        weekly = await _named(turn, session) == WEEKLY_NAME
    nxt = "next week" if weekly else "your next round"
    here = "every week" if weekly else "every other week"
    return [
        turn.reply(
            prefix + "Introductions: /narrate intros (your latest) · join · leave · "
            f"skip ({nxt}) · skip 3w · skip until <date> · skip off · every week|2w|4w · "
            "met <number> · not-useful <number>; admins: channel #name · delivery "
            "channel|dm|both · same-team on|off · cadence weekly|biweekly; "
            f"/narrate never-pair @name; /narrate stats. Rounds run {here} here."
        )
    ]


async def note_question(
    session: Session, *, person: Person | None, question: str, turn: Turn
) -> None:
    """Remember a who-knows question's topics for a participant (see ``record_asked_topics``)."""
    if person is None:
        return
    topics = _asked_topics(question)
    await intro_repo.record_asked_topics(session, person=person, topics=topics, now=turn.now)


async def notes_question(session: Session, *, person: Person | None, question: str) -> bool:
    """Whether ``note_question`` would write anything (a read)."""
    if person is None or not _asked_topics(question):
        return False
    return await intro_repo.keeps_asked_topics(session, person=person)


def _asked_topics(question: str) -> list[str]:
    """The topics kept for a who-knows question: "who knows about the build issue, need help"
    asked about build. Filler ("issue", "help") was kept before and only hidden when read back,
    so it sat in exports and counted toward nothing; now it is never written."""
    topics = [normalize_topic(w) for w in query_terms(question)]
    return [t for t in topics if len(t) > 2 and is_topic_in_text(t)]


async def _held(turn: Turn, session: Session) -> Person | None:
    """The actor's person row, held until the transaction ends, before writing their pace: a
    forget-me confirmed on another replica meanwhile waits, and then erases what this writes too,
    or went first (``repo.PersonErased``: nothing is written). ``None``: never seen here."""
    tenant = await turn.tenant(session)
    if not await turn.still_here(session, tenant):
        raise repo.PersonErased
    return await turn.known_person(session)


async def _biweekly(session: Session, tenant_id: int) -> bool:
    return await repo.get_setting(session, tenant_id=tenant_id, key=CADENCE_KEY) == BIWEEKLY


def _admins_only(turn: Turn, what: str) -> Reply:
    return turn.reply(f"Only a workspace admin can change {what}. Nothing was changed.")


async def _set(turn: Turn, key: str, value: str | None) -> None:
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        await repo.set_setting(session, tenant_id=tenant.id, key=key, value=value, now=turn.now)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _pk(person: Person) -> int:
    assert person.id is not None
    return person.id
