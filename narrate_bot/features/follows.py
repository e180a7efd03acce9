"""``/narrate follow <topic>``, ``/narrate unfollow <topic>`` and ``/narrate follow`` (list).

Following is asking for "serendipitous helping" (Khan/snippets): once a week, on Monday at
09:00 in the follower's time zone, one private DM lists the newest narrations about each
followed topic that they may read (``features.follow_digest``). Nothing new: no DM.

Topics are normalized like ``ask-me-about`` and ``hide-me`` (``knowledge.topic_match``), so
"Kafka", "kafka" and "#kafka" are one follow. Guests and people from other organisations may
not follow (what they would get is what members narrated across the workspace), like the
topic map.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ..knowledge.fire_times import next_fire, zone_named
from ..knowledge.topic_match import clean_topic, only_pointing, split_topics, topic_key
from ..knowledge.topics import is_topic
from ..replies import Reply
from ..storage import expertise_repo as prefs_repo
from ..storage import follows as follow_store
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.preference_tables import FOLLOW
from .consent import LEFT, enroll
from .expertise_prefs import _has_words, _over_limit
from .schedule_settings import TENANT_ZONE_KEY
from .turn import Turn

MAX_FOLLOWED = 10
DIGEST_DAY = "Monday"
DIGEST_AT = time(9, 0)
MONDAY = 1  # weekday bitmask (``knowledge.fire_times``)
_LIST_WORDS = {"list", "show"}
_ALL_WORDS = {"all", "everything"}


def digest_zone(own: str | None, workspace: str | None) -> ZoneInfo:
    """The zone a follower's Monday 09:00 is in: their own, else the workspace's, else UTC."""
    for name in (own, workspace):
        if name:
            try:
                return zone_named(name)
            except Exception:  # a zone removed from tzdata since it was stored
                continue
    return ZoneInfo("UTC")


def next_digest(now: datetime, *, own: str | None, workspace: str | None) -> datetime:
    """The UTC instant of the follower's first Monday 09:00 after ``now``."""
    return next_fire(now, days=MONDAY, at=DIGEST_AT, zone=digest_zone(own, workspace)).at


async def person_zone_moved(
    session: Session, *, person_id: int, zone: str, workspace: str | None, now: datetime
) -> None:
    """A person's own zone changed: if they follow topics, their next Monday 09:00 may now
    come sooner (``follow_schedule``; one that comes later is moved on when looked at)."""
    due = next_digest(now, own=zone, workspace=workspace)
    await follow_store.due_sooner(session, person_id=person_id, due_at=due)


async def workspace_zone_moved(
    session: Session, *, tenant_id: int, zone: str, now: datetime
) -> None:
    """The workspace's zone changed: its followers without a zone of their own may be due
    sooner. All its followers are brought forward, in one update however many follow; those
    with their own zone are moved back when looked at."""
    due = next_digest(now, own=None, workspace=zone)
    await follow_store.due_sooner(session, tenant_id=tenant_id, due_at=due)


def _topics_of(arg: str) -> list[str]:
    """``follow kafka streams`` is one topic; commas separate several."""
    if "," in arg or ";" in arg:
        return split_topics(arg)
    topic = clean_topic(arg)
    return [topic] if topic else []


def _listing(topics: list[str]) -> str:
    return ", ".join(topics)


def _not_followable(topic: str) -> str:
    """Why ``topic`` can't be followed (no words, or only common ones); see ``follow``."""
    if not _has_words(topic):
        return (
            f"I match topics by their words; “{topic}” has none. "
            "Try a word or two, like kafka or ledger migration. Nothing was changed."
        )
    return (
        f"“{topic}” is too common a word to follow; try a more specific topic, like kafka or "
        "ledger migration. Nothing was changed."
    )


def _names_nothing(arg: str, word: str) -> str:
    """``follow it``, ``unfollow the``: words that point at a topic named elsewhere (a chat
    message has no "it" to look back at), so say what to type instead."""
    said = arg.rstrip(".!?")
    return (
        f"“{said}” doesn't name a topic: /narrate {word} <topic>, like /narrate {word} kafka "
        "or ledger migration. Nothing was changed."
    )


def _about_status(topic: str) -> bool:
    """``stuck``, ``blocked help``: only words the topic map drops as how work is going, never
    what it is about. Followed, they would send a weekly list of who is struggling."""
    return not any(is_topic(word.strip(".!?'\"#")) for word in topic.lower().split())


def _status_refused(status: list[str]) -> str:
    """Why words like "stuck" aren't followed, said once for all of them in a list: the
    subjects beside them ("follow Stuck, blocked, kafka") are followed all the same."""
    named = " and ".join(f"“{t}”" for t in status)
    verb, them = ("says", "it") if len(status) == 1 else ("say", "them")
    return f"{named} {verb} how work is going, not what it's about, so I don't follow {them}."


async def follow(turn: Turn, arg: str) -> list[Reply]:
    arg = arg.strip()
    if not arg or arg.lower() in _LIST_WORDS:
        return [await _show(turn)]
    topics = _topics_of(arg)
    if not topics:
        return [await _show(turn)]
    if problem := _over_limit(topics):
        return [turn.reply(problem)]
    if arg.lower() in _ALL_WORDS:
        return [
            turn.reply(
                f"I follow topics one by one: name up to {MAX_FOLLOWED}, comma-separated, like "
                "/narrate follow kafka, ledger migration. Nothing was changed."
            )
        ]
    if only_pointing(arg):
        return [turn.reply(_names_nothing(arg, "follow"))]
    if bad := [t for t in topics if not topic_key(t)]:
        return [turn.reply(_not_followable(bad[0]))]
    status = [t for t in topics if _about_status(t)]
    topics = [t for t in topics if t not in status]
    refused = _status_refused(status) if status else ""
    if not topics:
        return [
            turn.reply(
                f"{refused} Follow a subject, like kafka or ledger migration. Nothing was changed."
            )
        ]
    asked = len({topic_key(t) for t in topics})
    if asked > MAX_FOLLOWED:
        return [
            turn.reply(
                f"That's {asked} topics; you can follow up to {MAX_FOLLOWED}. Nothing was "
                f"changed: send up to {MAX_FOLLOWED}, comma-separated."
            )
        ]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        assert tenant.id is not None and person.id is not None
        current = await prefs_repo.preferences_of(session, person_id=person.id, kind=FOLLOW)
        known = {topic_key(p.topic): p.topic for p in current}
        new = {topic_key(t) for t in topics} - known.keys()
        if len(current) + len(new) > MAX_FOLLOWED:
            return [
                turn.reply(
                    f"You follow {len(current)} ({_listing([p.topic for p in current])}); "
                    f"{len(new)} more would make {len(current) + len(new)} of {MAX_FOLLOWED}. "
                    "/narrate unfollow <topic> frees one. Nothing was changed."
                )
            ]
        added: list[str] = []
        already: list[str] = []
        for topic in topics:
            key = topic_key(topic)
            if key in known:
                already.append(known[key])
                continue
            stored = await prefs_repo.add_preference(
                session,
                tenant_id=tenant.id,
                person_id=person.id,
                kind=FOLLOW,
                topic=topic,
                key=key,
                now=turn.now,
            )
            (added if stored else already).append(topic)
            known[key] = topic
        welcome = enroll(person, turn.now) if added else None
        session.add(person)
        workspace = await repo.get_setting(session, tenant_id=tenant.id, key=TENANT_ZONE_KEY)
        zone = person.timezone or workspace or "UTC"
        if added:
            # Their digest is due next Monday 09:00: a new follower waits for a whole week.
            # Following one more topic keeps the time they had.
            await follow_store.ensure_scheduled(
                session,
                person_id=person.id,
                tenant_id=tenant.id,
                due_at=next_digest(turn.now, own=person.timezone, workspace=workspace),
                dialect=turn.db.dialect,
            )
    lines = []
    if added:
        about, stops = (
            ("it", f"/narrate unfollow {added[0]} stops it")
            if len(added) == 1
            else ("them", "/narrate unfollow <topic> stops one")
        )
        lines.append(
            f"Following {_listing(added)}. Every {DIGEST_DAY} at {DIGEST_AT:%H:%M} ({zone}) I'll "
            f"send you one private message with the newest narrations about {about} from the "
            f"week, only ones you could already read, and nothing when there's nothing new. "
            f"{stops}."
        )
    if already:
        lines.append(f"You already follow {_listing(already)}.")
    if refused:
        lines.append(refused)
    if welcome:
        lines.append(welcome)
    return [turn.reply("\n".join(lines))]


async def unfollow(turn: Turn, arg: str) -> list[Reply]:
    arg = arg.strip()
    topics = _topics_of(arg)
    if not topics or arg.lower() in _LIST_WORDS:
        return [await _show(turn, "Which topic? /narrate unfollow <topic>")]
    if problem := _over_limit(topics):
        return [turn.reply(problem)]
    if only_pointing(arg):
        return [await _show(turn, _names_nothing(arg, "unfollow"))]
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None or person.id is None:
            return [turn.reply("You don't follow any topics, so there's nothing to unfollow.")]
        current = await prefs_repo.preferences_of(session, person_id=person.id, kind=FOLLOW)
        if arg.lower() in _ALL_WORDS:
            gone = [p.topic for p in current]
            keys = [p.topic_key for p in current]
            missing: list[str] = []
        else:
            wanted = {topic_key(t) for t in topics}
            gone = [p.topic for p in current if topic_key(p.topic) in wanted]
            keys = [p.topic_key for p in current if topic_key(p.topic) in wanted]
            have = {topic_key(p.topic) for p in current}
            missing = [t for t in topics if topic_key(t) not in have]
        if keys:
            await prefs_repo.remove_preferences(
                session, person_id=person.id, kind=FOLLOW, keys=keys
            )
        left = [p.topic for p in current if p.topic not in gone]
        if not left:
            await follow_store.unschedule(session, person_id=person.id)
    about = "it" if len(gone) == 1 else "them"
    lines = [f"Unfollowed {_listing(gone)}: no more weekly messages about {about}."] if gone else []
    if missing:
        # Each quoted: "You didn't follow kafka, stuck." read as one topic never split.
        lines.append(f"You didn't follow {' or '.join(f'“{t}”' for t in missing)}.")
    lines.append(f"You follow: {_listing(left)}." if left else "You follow no topics.")
    return [turn.reply(" ".join(lines))]


async def _show(turn: Turn, usage: str | None = None) -> Reply:
    async with turn.reading() as session:
        person = await turn.known_person(session)
        away = person is not None and person.consent == LEFT
        topics = (
            [
                p.topic
                for p in await prefs_repo.preferences_of(session, person_id=person.id, kind=FOLLOW)
            ]
            if person is not None and person.id is not None
            else []
        )
    if topics:
        text = (
            f"You follow: {_listing(topics)}. Every {DIGEST_DAY} at {DIGEST_AT:%H:%M} your time, "
            "one private message lists the week's newest narrations about them that you may "
            "read (none when there's nothing new). /narrate unfollow <topic> stops one."
        )
        if away:
            # Kept when they left (consent.leave), sent again only once they join.
            text += " You've left narrate-bot, so none is sent until /narrate join."
    else:
        text = (
            "You follow no topics. /narrate follow kafka sends you, once a week, the newest "
            f"narrations about kafka that you may read (up to {MAX_FOLLOWED} topics)."
        )
    return turn.reply(f"{usage}\n{text}" if usage else text)
