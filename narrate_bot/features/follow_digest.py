"""The weekly DM of followed topics (``/narrate follow <topic>``): Monday at 09:00 in each
follower's time zone (their own, else the workspace's, else UTC).

Each follower whose topics had new narrations in the week before gets one private message:
per topic, up to ``PER_TOPIC`` of the newest narrations they may read, checked when it is sent
with the rule every answer uses (``visible_to``: public channels, private ones they are in,
what was shared with the workspace; never a DM, never another workspace), never their own, and
nobody who is paused, gone, not taking part or hidden from that topic (``hide-me``). Nothing
new: no message. A follower who is paused, left, was marked departed or is a guest gets none.

Exactly once per person and week: the week is claimed in ``follow_digest`` (unique per person
and week) and committed before anything is posted; a tick, a restart or another replica that
finds it claimed sends nothing. A post that fails is recorded as failed, not sent again: a late
or doubled digest is worse than a missed one, and next week's comes as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..events import Platform
from ..knowledge.durations import Calendar
from ..knowledge.fire_times import Fire, latest_fire, next_fire, zone_named
from ..knowledge.topic_match import matches, stems
from ..ports import AccessRefresher
from ..replies import MESSAGE_BUDGET, Post
from ..storage import expertise_repo as prefs_repo
from ..storage import follows as store
from ..storage import intro_repo
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.follow_tables import FAILED, QUIET, SENT, SKIPPED
from ..storage.preference_tables import FOLLOW
from ..storage.tables import Channel, Narration, Person, Tenant
from . import expertise_prefs
from .follows import DIGEST_AT
from .narrate import snippet, written_where
from .schedule_posts import available, tenant_ref
from .schedule_settings import TENANT_ZONE_KEY

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

MONDAY = 1  # weekday bitmask (``knowledge.fire_times``)
WEEK = timedelta(days=7)
PER_TOPIC = 5
# A digest still goes out this long after its Monday 09:00 (the bot was down); later, that
# week's is skipped: next Monday's covers its own week.
LATE = timedelta(days=1)
# Monday 09:00 somewhere on Earth: from Sunday 19:00 UTC (UTC+14) to Monday 21:00 UTC (UTC-12),
# each with an hour to spare. Outside these hours (and ``LATE`` after them) nothing can be due.
_EARLIEST = timedelta(hours=-15)
_LATEST = timedelta(hours=13)
# Digests sent per tick at most (``send_batch``): at Discord's pace of about one new DM a
# second, a batch holds the tick for some 20 s before the next one delivers prompts again.
BATCH = 20


@dataclass(frozen=True)
class Due:
    person: Person
    tenant: Tenant
    fire: Fire

    @property
    def week(self) -> str:
        return self.fire.slot.isoformat()


def _zone(own: str | None, workspace: str | None) -> ZoneInfo:
    for name in (own, workspace):
        if name:
            try:
                return zone_named(name)
            except Exception:  # a zone removed from tzdata since it was stored
                continue
    return ZoneInfo("UTC")


def _mondays_near(start: datetime, end: datetime) -> bool:
    """Whether any zone's Monday 09:00 may fall in ``[start, end]``: the wake-ups of the other
    five days or so ask the database nothing about followers."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    monday = datetime.combine(start.date() - timedelta(days=start.weekday()), DIGEST_AT, UTC)
    monday -= WEEK  # the window of the week before reaches into this one
    while monday + _EARLIEST <= end:
        if monday + _LATEST >= start:
            return True
        monday += WEEK
    return False


async def _zones(bot: Bot, session: Session) -> dict[store.ZonePair, ZoneInfo]:
    """Every distinct (own, workspace) zone pair among the followers, and the zone it makes."""
    platforms = [p.value for p in bot.gateways]
    pairs = await store.follower_zones(
        session, platforms=platforms, tenant_zone_key=TENANT_ZONE_KEY
    )
    return {pair: _zone(*pair) for pair in pairs}


async def _unclaimed(
    bot: Bot, session: Session, fires: dict[str, dict[store.ZonePair, Fire]]
) -> list[Due]:
    """The followers whose week's Monday is in ``fires`` (week -> zone pair -> its Monday
    09:00), who followed before it and whose week nobody has claimed: only followers in a zone
    whose Monday 09:00 has come are read, and only those not yet claimed."""
    platforms = [p.value for p in bot.gateways]
    due: list[Due] = []
    for week, by_pair in sorted(fires.items()):
        found = await store.unclaimed_followers(
            session,
            platforms=platforms,
            tenant_zone_key=TENANT_ZONE_KEY,
            zones=list(by_pair),
            week=week,
        )
        for person, tenant, first, pair in found:
            fire = by_pair[pair]
            if fire.at > first:  # a new follower waits for next Monday
                due.append(Due(person=person, tenant=tenant, fire=fire))
    # The longest waiting first, when a Monday's digests take several batches.
    due.sort(key=lambda d: (d.fire.at, d.person.id or 0))
    return due


async def _due(bot: Bot, now: datetime) -> list[Due]:
    """Every digest due at ``now``: its Monday 09:00 has come, no more than ``LATE`` ago."""
    if not bot.gateways or not _mondays_near(now - LATE, now):
        return []
    async with bot.db.snapshot() as session:
        fires: dict[str, dict[store.ZonePair, Fire]] = {}
        for pair, zone in (await _zones(bot, session)).items():
            fire = latest_fire(now, days=MONDAY, at=DIGEST_AT, zone=zone)
            if fire is not None and now - fire.at <= LATE:
                fires.setdefault(fire.slot.isoformat(), {})[pair] = fire
        if not fires:
            return []
        return await _unclaimed(bot, session, fires)


async def next_due(bot: Bot, *, after: datetime | None, until: datetime) -> datetime | None:
    """The earliest unsent digest due in ``(after, until]`` (``run_due`` wakes the tick then).

    Every Monday in the range counts, not only the last: moving a test clock two weeks on
    sends both weeks' digests, each at its own time. One already too late to send (``LATE``)
    is not offered, so a wake-up never runs for nothing.

    This runs on every wake-up (every 30 s). Unless some zone's Monday 09:00 may be in the
    range it reads nothing; otherwise the followers' distinct zones (one small query), then
    followers only in zones whose Monday 09:00 is in the range, and of those only the ones
    whose week is unclaimed. An idle wake-up reads no follower."""
    if not bot.gateways:
        return None
    floor = bot.clock.now() - LATE
    if after is not None:
        floor = max(floor, after)
    if floor >= until or not _mondays_near(floor, until):
        return None
    async with bot.db.snapshot() as session:
        fires: dict[str, dict[store.ZonePair, Fire]] = {}
        for pair, zone in (await _zones(bot, session)).items():
            fire = next_fire(floor, days=MONDAY, at=DIGEST_AT, zone=zone)
            while fire.at <= until:
                fires.setdefault(fire.slot.isoformat(), {})[pair] = fire
                fire = next_fire(fire.at, days=MONDAY, at=DIGEST_AT, zone=zone)
        if not fires:
            return None
        due = await _unclaimed(bot, session, fires)
    return min((d.fire.at for d in due), default=None)


async def _refresh_access(bot: Bot, due: Sequence[Due]) -> set[int]:
    """Let the platform correct the due followers' private-channel access before their digests
    are drawn from it, one request per workspace: on Discord a removed role or a departure
    nobody told us about leaves a stored membership that would list a private channel's
    narrations to someone who can no longer read it. Only people with a stored private
    membership are asked about (nobody else is shown a private channel's narrations).

    Returns the followers whose access couldn't be re-checked: their digests list nothing from
    a private channel this week (a missing line is better than a leaked one)."""
    by_tenant: dict[int, list[Due]] = {}
    for item in due:
        assert item.tenant.id is not None
        by_tenant.setdefault(item.tenant.id, []).append(item)
    blind: set[int] = set()
    for tenant_id, items in by_tenant.items():
        tenant = items[0].tenant
        gateway = bot.gateways.get(Platform(tenant.platform))
        if not isinstance(gateway, AccessRefresher):
            continue
        async with bot.db.snapshot() as session:
            readers = await intro_repo.private_readers(
                session, tenant_id=tenant_id, user_ids=[i.person.user_id for i in items]
            )
        asked = [i for i in items if readers.get(i.person.user_id)]
        if not asked:
            continue
        try:
            await gateway.refresh_access(tenant_ref(tenant), [i.person.user_id for i in asked])
        except Exception as problem:
            log.warning(
                "refreshing private-channel access before follow digests failed in tenant %s "
                "(%d follower(s) get no private narrations this week): %s",
                tenant_id,
                len(asked),
                type(problem).__name__,
            )
            blind.update(i.person.id for i in asked if i.person.id is not None)
    return blind


async def send_digests(bot: Bot, now: datetime) -> int:
    """Claim and send every digest due at ``now``, batch after batch; returns how many DMs
    went out. The tick sends one batch at a time instead (``send_batch``)."""
    total = 0
    while True:
        sent, more = await send_batch(bot, now)
        total += sent
        if not more:
            return total


async def send_batch(bot: Bot, now: datetime, *, limit: int = BATCH) -> tuple[int, bool]:
    """Claim and send up to ``limit`` of the digests due at ``now``, the longest waiting
    first; returns how many DMs went out and whether more are due. A Monday with thousands
    of followers is sent over many ticks, each delivering the prompts that fell due first, so
    paced DMs (Discord opens about one a second) never hold a channel's prompt for long. What
    is left is found unclaimed by the next tick."""
    sent = 0
    due = await _due(bot, now)
    batch = due[:limit]
    blind = await _refresh_access(bot, batch) if batch else set()
    for item in batch:
        assert item.person.id is not None and item.tenant.id is not None
        async with bot.db.transaction() as session:
            mine = await store.claim(
                session,
                tenant_id=item.tenant.id,
                person_id=item.person.id,
                week=item.week,
                now=now,
                dialect=bot.db.dialect,
            )
        if not mine:
            continue  # another tick, process or replica has it
        try:
            sent += await _deliver(bot, item, now=now, private=item.person.id not in blind)
        except Exception as problem:  # one follower's failure never stops the others
            log.warning(
                "follow digest for person %s (week %s) failed: %s",
                item.person.id,
                item.week,
                type(problem).__name__,
            )
            log.debug("follow digest failed", exc_info=True)
            async with bot.db.transaction() as session:
                await store.finish(
                    session, person_id=item.person.id, week=item.week, status=FAILED, now=None
                )
    return sent, len(due) > limit


async def _deliver(bot: Bot, item: Due, *, now: datetime, private: bool) -> int:
    assert item.person.id is not None
    post, status = await compose(bot, item, now=now, private=private)
    if post is not None:
        gateway = bot.gateways[Platform(item.tenant.platform)]
        await gateway.post(tenant_ref(item.tenant), post)
    async with bot.db.transaction() as session:
        await store.finish(
            session,
            person_id=item.person.id,
            week=item.week,
            status=status,
            now=now if post is not None else None,
        )
    return 1 if post is not None else 0


async def compose(
    bot: Bot, item: Due, *, now: datetime, private: bool = True
) -> tuple[Post | None, str]:
    """The DM and the claim's outcome, from what is stored now (the person re-read).
    ``private=False``: nothing from a private channel (their access couldn't be re-checked)."""
    tenant_id = item.tenant.id
    assert tenant_id is not None and item.person.id is not None
    async with bot.db.snapshot() as session:
        person = await session.get(Person, item.person.id)
        if person is None or person.guest or not available(person, now):
            return None, SKIPPED
        followed = [
            p.topic
            for p in await prefs_repo.preferences_of(session, person_id=person.id or 0, kind=FOLLOW)
        ]
        hidden = {
            topic: (
                await expertise_prefs.for_question(session, tenant_id=tenant_id, question=topic)
            ).hidden
            for topic in followed
        }
        about: dict[str, list[tuple[Narration, Channel, Person]]] = {t: [] for t in followed}
        before: tuple[datetime, int] | None = None
        while followed:
            # Page by page, newest first: a busy week's every narration is matched, so one
            # from Monday about a followed topic is never lost behind a thousand later ones.
            rows = await store.week_narrations(
                session,
                tenant_id=tenant_id,
                viewer=person,
                since=item.fire.at - WEEK,
                until=item.fire.at,
                now=now,
                private=private,
                before=before,
            )
            for row in rows:
                said = stems(row[0].text)
                for topic in followed:
                    if row[2].id not in hidden[topic] and matches(topic, said):
                        about[topic].append(row)
            if len(rows) < store.WEEK_LIMIT:
                break
            last = rows[-1][0]
            assert last.id is not None
            before = (last.created_at, last.id)
        found = [(topic, about[topic]) for topic in followed if about[topic]]
        workspace = await repo.get_setting(session, tenant_id=tenant_id, key=TENANT_ZONE_KEY)
    if not found:
        return None, QUIET
    calendar = Calendar.of(now, person.timezone, workspace)
    return _post(person, found, calendar), SENT


Row = tuple[Narration, Channel, Person]
_ESCAPED = frozenset('&<>"\\')


def _weight(line: str) -> int:
    """What a line costs against ``MESSAGE_BUDGET``: its characters, and more for those a
    platform writes longer (Slack's ``&amp;``, a JSON ``\\"``), plus its line break."""
    return len(line) + 4 * sum(1 for c in line if c in _ESCAPED) + 1


def _header(topic: str) -> str:
    return f"“{topic}” (/narrate unfollow {topic} stops these):"


def _more(topic: str, count: int) -> str:
    return f"   … and {count} more this week: /narrate who {topic}"


def _post(
    person: Person,
    found: Sequence[tuple[str, Sequence[Row]]],
    calendar: Calendar,
    budget: int = MESSAGE_BUDGET,
) -> Post:
    """The DM, within ``budget``: up to ``PER_TOPIC`` narrations per topic, newest first; when
    that is too long, narrations are left out evenly across topics (one from the topic with
    most listed, again and again, its oldest first). Every topic keeps its line, and one that
    had more says how many and where to see them: a cut message (the adapter's last resort)
    would drop the last topics and nobody would know."""
    names: dict[str, str] = {}

    def line(row: Row) -> str:
        narration, channel, author = row
        where = narration.link or written_where(channel, named=narration.audience != "tenant")
        return (
            f"   • <@{author.user_id}>: “{snippet(narration.text, 120)}” "
            f"({calendar.dated(narration.created_at)}, {where})"
        )

    first = "New this week about the topics you follow:"
    last = "Only narrations you could already read are listed. /narrate follow lists yours."
    lines = [[line(r) for r in rows[:PER_TOPIC]] for _, rows in found]
    weights = [[_weight(x) for x in listed] for listed in lines]
    keep = [len(listed) for listed in lines]

    def total() -> int:
        size = _weight(first) + _weight(last)
        for (topic, rows), kept, weighed in zip(found, keep, weights, strict=True):
            size += _weight(_header(topic)) + sum(weighed[:kept])
            if kept < len(rows):
                size += _weight(_more(topic, len(rows) - kept))
        return size

    while total() > budget and any(keep):
        most = max(keep)
        drop = max(i for i, kept in enumerate(keep) if kept == most)  # the later topic first
        keep[drop] -= 1
    out = [first]
    for (topic, rows), kept, listed in zip(found, keep, lines, strict=True):
        out.append(_header(topic))
        out.extend(listed[:kept])
        for _, _, author in rows[:kept]:
            names[author.user_id] = author.display_name or author.user_id
        if kept < len(rows):
            out.append(_more(topic, len(rows) - kept))
    out.append(last)
    return Post(text="\n".join(out), to_users=(person.user_id,), names=names, quiet=True)
