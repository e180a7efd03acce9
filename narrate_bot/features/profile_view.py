"""``/narrate profile [@someone]``: what a person narrates about, and their recent narrations.

Your own view shows everything (DMs, private channels, only-me notes, hidden topics); anyone
else sees only what ``visible_to`` lets them read, like an answer to "who knows about X?".
Mentions arrive as ``<@U123>`` (Slack, Discord, also ``<@!123>`` and ``<@U123|name>``) or as
``@name`` (the console, or a name typed without autocompletion).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from ..events import ChannelKind
from ..knowledge.durations import Calendar
from ..knowledge.spellings import Spellings, merged
from ..knowledge.topic_match import matches, narration_topic_stems
from ..replies import HELD_BACK, Named, Reply, Shown
from ..storage import expertise_repo
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.preference_tables import ASK_ME, HIDE_ME
from ..storage.tables import Channel, Narration, Person
from . import members_only
from .consent import JOINED
from .narrate import snippet, written_where
from .topic_map import WINDOW
from .turn import Turn

MAX_TOPICS = 8
RECENT = 5
TOPIC_SAMPLE = 200  # topics come from this many of their latest narrations
_PLATFORM_MENTION = re.compile(r"^<@!?(?P<id>[\w.\-]{1,64})(?:\|(?P<name>[^>]{0,200}))?>$")
_NAME_MENTION = re.compile(r"^@?(?P<name>[\w.\-]{1,64})$")


def _target(arg: str) -> tuple[str | None, str | None] | None:
    """(user id, name) the argument names; ``(None, None)`` for me; ``None`` if unreadable."""
    arg = arg.strip()
    if not arg or arg.lower() in ("me", "@me", "mine"):
        return None, None
    if match := _PLATFORM_MENTION.match(arg):
        return match.group("id"), match.group("name")
    if match := _NAME_MENTION.match(arg):
        name = match.group("name")
        return name.lower(), name
    return None


def _where(channel: Channel, *, own: bool, named: bool) -> str:
    if own and channel.kind == ChannelKind.DIRECT.value:
        return "a DM with me"
    return written_where(channel, named=own or named)


async def show_profile(turn: Turn, arg: str) -> list[Reply]:
    target = _target(arg)
    if target is None:
        return [turn.reply("Whose profile? /narrate profile @name, or /narrate profile for yours.")]
    viewer = turn.event.user.user_id
    async with turn.reading() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        user_id, name = target
        if user_id is None:
            person = await repo.find_person(session, tenant_id=tenant.id, user_id=viewer)
        else:
            person = await expertise_repo.person_by_mention(
                session, tenant_id=tenant.id, user_id=user_id, name=name
            )
        if person is None or person.id is None:
            if user_id is None:
                return [
                    turn.reply("I have nothing about you yet. /narrate what you're working on.")
                ]
            shown = name or user_id
            return [
                turn.reply(
                    f"I don't know anyone called @{shown} here: they haven't narrated or joined "
                    "yet. Check the spelling, or mention them."
                )
            ]
        own = person.user_id == viewer
        if not own and members_only.is_guest(turn):
            return members_only.refuse(turn)
        if not own and person.consent != JOINED:
            return [
                turn.reply(
                    f"<@{person.user_id}> isn't taking part in narrate-bot right now."
                ).model_copy(update={"names": {person.user_id: person.display_name}})
            ]
        if own:
            rows = await repo.recent_narrations(session, person_id=person.id, limit=TOPIC_SAMPLE)
        else:
            rows = await expertise_repo.visible_narrations_of(
                session,
                tenant_id=tenant.id,
                person_id=person.id,
                viewer_user_id=viewer,
                limit=TOPIC_SAMPLE,
            )
        about = await standing(
            session,
            person=person,
            narration_ids=[n.id for n, _ in rows if n.id is not None],
            own=own,
            now=turn.now,
        )
        assert about is not None  # enrolled, or their own
        calendar = await turn.calendar(session)
        # Someone else's narration shared from a private channel may come from one the viewer
        # isn't in: its name stays with its members (``written_where``).
        private = {
            c.id for _, c in rows[:RECENT] if not own and c.kind == ChannelKind.PRIVATE.value
        }
        named = {
            pk
            for pk in private
            if pk is not None and await repo.is_member(session, channel_pk=pk, user_id=viewer)
        }
    names = {person.user_id: person.display_name or person.user_id}
    team = f" (team {person.team})" if person.team else ""
    lines = [
        f"Your profile{team}: everything, including DMs and private channels; others see only "
        "what they can read."
        if own
        else f"<@{person.user_id}>{team}, as far as you can read:"
    ]
    lines.extend(about)
    lines.extend(_recent(rows[:RECENT], own=own, named=named, calendar=calendar))
    reply = turn.reply("\n".join(lines))
    # Shows narrations (and who narrates about what, from all of ``rows``) and the person's
    # standing: kept past a rate limit, it goes as it is only while each of them still holds,
    # a private channel it names is still the reader's, and ``standing`` reads the same
    # (``Reply.if_kept``).
    held = tuple(
        Shown(
            narration_id=n.id,
            edited_at=n.edited_at,
            created_at=n.created_at,
            author_id=n.person_id,
            channel_pk=c.id if c.id in named and not n.link else None,
        )
        for n, c in rows
        if n.id is not None
    )
    assert person.id is not None
    them = (Named(person_id=person.id, profile="\n".join(about), own=own),)
    update = {"names": names, "if_kept": HELD_BACK, "shown": held, "people": them}
    return [reply.model_copy(update=update)]


async def standing(
    session: Session, *, person: Person, narration_ids: list[int], own: bool, now: datetime
) -> list[str] | None:
    """What a profile of ``person`` says from their standing and choices rather than the
    narrations it shows: what they narrate about (of ``narration_ids``; a topic they hid
    left out for others), what they'd like to be asked about, enrolled, paused, gone. ``None``
    when someone else may not see it (they aren't taking part). Read for ``show_profile`` and
    again when a profile kept past a rate limit goes (``answer_copies.still_holds``): it goes
    as it was only while this reads the same."""
    if not own and person.consent != JOINED:
        return None
    assert person.id is not None
    topic_rows = await expertise_repo.narration_topics_of_person(
        session, narration_ids=narration_ids
    )
    declared = await expertise_repo.preferences_of(session, person_id=person.id, kind=ASK_ME)
    hidden = await expertise_repo.preferences_of(session, person_id=person.id, kind=HIDE_ME)
    counts = Counter(topic_rows)
    topics = merged(counts)
    lately = await expertise_repo.narration_topics_of_person(
        session, narration_ids=narration_ids, since=now - WINDOW
    )
    recent = Counter(Spellings(counts).label(topic) for topic in lately)
    if not own:  # a hidden topic stays out of what others are told they narrate about
        for topic in list(topics):
            if any(matches(h.topic, narration_topic_stems(topic)) for h in hidden):
                del topics[topic]
    lines = [_topics_line(topics, recent)]
    if declared:
        lines.append("Happy to be asked about: " + ", ".join(p.topic for p in declared) + ".")
    if own:
        if hidden:
            lines.append("Hidden from answers about: " + ", ".join(p.topic for p in hidden) + ".")
        lines.extend(_status(person.consent, paused=person.paused_until, now=now))
    elif person.departed_at is not None:
        lines.append("No longer in the workspace: not suggested in answers.")
    elif person.paused_until is not None and person.paused_until > now:
        lines.append("Paused for now: not suggested in answers.")
    return lines


def _topics_line(topics: Counter[str], recent: Counter[str]) -> str:
    """The topics, each with its narrations, ranked as the topic map ranks them: by narrations in
    its window (``topic_map.WINDOW``, the last 4 weeks), then by all of them, then by name. So
    what someone narrates about lately comes first, and the map and the profile agree on it;
    a topic they narrated often long ago but not lately follows (a count alone put it first,
    forever). The number shown stays every narration of it the profile reads."""
    if not topics:
        return "Narrates about: nothing you can read yet."
    ranked = sorted(topics.items(), key=lambda item: (-recent[item[0]], -item[1], item[0]))
    top = ", ".join(f"{t} ({n})" for t, n in ranked[:MAX_TOPICS])
    return f"Narrates about: {top}."


def _status(consent: str, *, paused: datetime | None, now: datetime) -> list[str]:
    if consent != JOINED:
        return ["You aren't enrolled, so I don't suggest you: /narrate join."]
    if paused is not None and paused > now:
        return ["You're paused: I don't suggest you until you /narrate resume."]
    return []


def _recent(
    rows: list[tuple[Narration, Channel]], *, own: bool, named: set[int], calendar: Calendar
) -> list[str]:
    if not rows:
        return []
    lines = ["Recent:"]
    for narration, channel in rows:
        where = narration.link or _where(channel, own=own, named=channel.id in named)
        ordinal = f"#{narration.ordinal} " if own else ""
        lines.append(
            f"   • {ordinal}“{snippet(narration.text, 100)}” "
            f"({calendar.dated(narration.created_at)}, {where})"
        )
    return lines
