"""The weekly DM of followed topics (``/narrate follow <topic>``): Monday at 09:00 in each
follower's time zone (their own, else the workspace's, else UTC).

Each follower whose topics had new narrations in the week before gets one private message:
per topic, up to ``PER_TOPIC`` of the newest narrations they may read, checked when it is sent
with the rule every answer uses (``visible_to``: public channels, private ones they are in,
what was shared with the workspace; never a DM, never another workspace), never their own, and
nobody who is paused, gone, not taking part or hidden from that topic (``hide-me``). Nothing
new: no message. A follower who is paused, left, was marked departed or is a guest gets none.

When: each follower has a ``follow_schedule`` row holding the UTC instant their digest next
needs a look (their next Monday 09:00), kept when they follow, unfollow or change zone (theirs
or the workspace's) and after each week. A wake-up reads only the rows due, through the index:
its cost doesn't grow with the followers. A row looked at early (a zone moved) is moved on.

Exactly once per person and week: a due row is taken by moving its time (a compare, so one
process has the turn), then the week is claimed in ``follow_digest`` (unique per person and
week) and committed before anything is posted; a tick, a restart or another replica that finds
it claimed sends nothing. The DM is built to fit one message of the platform
(``ports.OneMessage``), so a failure never leaves part of it delivered. A post the platform
answered and took nothing from (``ports.NotPosted``), or a failure before posting, is tried
again later that day (``RETRY_AFTER``, ``MAX_ATTEMPTS`` in all); one the platform refuses for
good (``CannotPostThere``: the person can't be sent a DM) or whose outcome is unknown (a
timeout after the platform may have taken it) is recorded failed and not sent again: a doubled
digest is worse than a missed one, and next week's comes as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..events import Platform
from ..knowledge.durations import Calendar
from ..knowledge.fire_times import Fire, latest_fire, next_fire
from ..knowledge.topic_match import asked_stems, matches
from ..ports import AccessRefresher, CannotPostThere, NotPosted, OneMessage
from ..replies import MESSAGE_BUDGET, Post
from ..storage import expertise_repo as prefs_repo
from ..storage import follows as store
from ..storage import intro_repo
from ..storage import repositories as repo
from ..storage.follow_tables import FAILED, QUIET, RETRY, SENT, SKIPPED
from ..storage.preference_tables import FOLLOW
from ..storage.tables import Channel, Narration, Person, Tenant
from . import expertise_prefs, narration_copies
from .follows import DIGEST_AT, digest_zone
from .narrate import snippet, written_where
from .narration_copies import QUOTED
from .schedule_posts import available, tenant_ref
from .schedule_settings import TENANT_ZONE_KEY

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

MONDAY = 1  # weekday bitmask (``knowledge.fire_times``)
WEEK = timedelta(days=7)
PER_TOPIC = 5
# A digest still goes out this long after its Monday 09:00 (the bot was down); later, that
# week's is skipped: next Monday's covers its own week. Retries stay within it too.
LATE = timedelta(days=1)
# Digests sent per tick at most (``send_batch``): at Discord's pace of about one new DM a
# second, a batch holds the tick for some 20 s before the next one delivers prompts again.
BATCH = 20
# Tries of one week's digest, and the waits after the first and second failed one: a platform
# outage or a rate limit that outlasted the gateway's own retries usually passes in minutes.
MAX_ATTEMPTS = 3
RETRY_AFTER = (timedelta(minutes=10), timedelta(minutes=40))
# While a turn is being sent its row is due this far on: a process that dies meanwhile leaves
# it to be found then, its week claimed (never sent again) and the row moved to next Monday.
HOLD = timedelta(minutes=15)


@dataclass(frozen=True)
class Due:
    person: Person
    tenant: Tenant
    fire: Fire
    # Which try of the week this is (1 for the first), and the follower's next Monday 09:00.
    attempt: int
    upcoming: datetime

    @property
    def week(self) -> str:
        return self.fire.slot.isoformat()


async def next_due(bot: Bot, *, after: datetime | None, until: datetime) -> datetime | None:
    """The earliest digest turn due in ``(after, until]`` (``run_due`` wakes the tick then);
    with ``after`` ``None``, also one overdue. One look-up in the ``due_at`` index, however
    many follow: an idle wake-up reads no follower.

    Every Monday in the range counts, not only the last: moving a test clock two weeks on
    sends both weeks' digests, each at its own time (each turn sets the next one's time)."""
    if not bot.gateways:
        return None
    async with bot.db.snapshot() as session:
        return await store.next_due_at(
            session, platforms=[p.value for p in bot.gateways], after=after, until=until
        )


async def _take(bot: Bot, row: store.DueRow, now: datetime) -> Due | None:
    """This due row's turn, in one transaction: taken (``store.take_turn``), then either the
    week's digest claimed (or a retry re-claimed) and returned to be sent, or the row moved to
    the follower's next Monday 09:00 (nothing due this week, or the week settled already)."""
    person = row.person
    assert person.id is not None and row.tenant.id is not None
    async with bot.db.transaction() as session:
        if not await store.take_turn(
            session, person_id=person.id, seen=row.due_at, until=now + HOLD
        ):
            return None  # another tick, process or replica has this turn
        first = await store.first_followed(session, person_id=person.id)
        if first is None:
            await store.unschedule(session, person_id=person.id)
            return None
        zone = digest_zone(person.timezone, row.workspace_zone)
        fire = latest_fire(now, days=MONDAY, at=DIGEST_AT, zone=zone)
        upcoming = next_fire(now, days=MONDAY, at=DIGEST_AT, zone=zone).at
        if fire is None or now - fire.at > LATE or fire.at <= first:
            # Too late for this week's (the bot was down), a new follower waiting for a whole
            # week, or a row made early by a zone change: on to the next Monday.
            await store.set_due(session, person_id=person.id, due_at=upcoming)
            return None
        week = fire.slot.isoformat()
        claim = await store.week_claim(session, person_id=person.id, week=week)
        attempt = 1
        if claim is None:
            mine = await store.claim(
                session,
                tenant_id=row.tenant.id,
                person_id=person.id,
                week=week,
                now=now,
                dialect=bot.db.dialect,
            )
        elif claim.status == RETRY:
            attempt = claim.attempts + 1
            mine = await store.reclaim(
                session, person_id=person.id, week=week, attempts=claim.attempts, now=now
            )
        else:
            mine = False  # sent, quiet, skipped, failed, or taken by a process that died
        if not mine:
            await store.set_due(session, person_id=person.id, due_at=upcoming)
            return None
    return Due(person=person, tenant=row.tenant, fire=fire, attempt=attempt, upcoming=upcoming)


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
    """Take and send every digest turn due at ``now``, batch after batch; returns how many
    DMs went out. The tick sends one batch at a time instead (``send_batch``)."""
    total = 0
    while True:
        sent, more = await send_batch(bot, now)
        total += sent
        if not more:
            return total


async def send_batch(bot: Bot, now: datetime, *, limit: int = BATCH) -> tuple[int, bool]:
    """Take up to ``limit`` of the digest turns due at ``now``, the longest waiting first, and
    send what they claim; returns how many DMs went out and whether more are due. A Monday
    with thousands of followers is sent over many ticks, each delivering the prompts that fell
    due first, so paced DMs (Discord opens about one a second) never hold a channel's prompt
    for long. What is left is still due at the next tick."""
    if not bot.gateways:
        return 0, False
    async with bot.db.snapshot() as session:
        rows = await store.due_followers(
            session,
            platforms=[p.value for p in bot.gateways],
            tenant_zone_key=TENANT_ZONE_KEY,
            now=now,
            limit=limit + 1,
        )
    batch: list[Due] = []
    moved = False
    for row in rows[:limit]:
        try:
            taken = await _take(bot, row, now)
        except Exception as problem:  # one follower's trouble never stops the others
            log.warning(
                "looking at person %s's follow digest failed: %s",
                row.person.id,
                type(problem).__name__,
            )
            continue
        moved = True
        if taken is not None:
            batch.append(taken)
    blind = await _refresh_access(bot, batch) if batch else set()
    sent = 0
    for item in batch:
        sent += await _attempt(bot, item, now=now, private=item.person.id not in blind)
    # More only when this batch moved something: rows that keep failing to be looked at wait
    # for the next wake-up instead of spinning this one.
    return sent, len(rows) > limit and moved


def _fits(bot: Bot, item: Due) -> Callable[[Post], bool] | None:
    """Whether a DM is one message where the platform would split a long one."""
    gateway = bot.gateways.get(Platform(item.tenant.platform))
    if not isinstance(gateway, OneMessage):
        return None
    ref = tenant_ref(item.tenant)
    return lambda post: gateway.fits_one_message(ref, post)


async def _attempt(bot: Bot, item: Due, *, now: datetime, private: bool) -> int:
    """Compose and post one claimed digest and record the outcome; 1 when a DM went out."""
    assert item.person.id is not None
    posting = False
    message_id = ""
    try:
        post, status, quotes = await compose(
            bot, item, now=now, private=private, fits=_fits(bot, item)
        )
        if post is not None:
            gateway = bot.gateways[Platform(item.tenant.platform)]
            posting = True  # from here a failure may have reached the person, unless it says
            # The week's tries are one message (``Post.delivery``); the copy kept below goes
            # without it: an older replica would refuse the field it doesn't know.
            week = f"digest:{item.person.id}:{item.week}"
            message_id = await gateway.post(
                tenant_ref(item.tenant), post.model_copy(update={"delivery": week})
            )
    except Exception as problem:  # one follower's failure never stops the others
        # Nothing was posted when it failed before the post or the platform says it took
        # nothing; a refusal for good (DMs closed, the person gone) is not tried again.
        again = not isinstance(problem, CannotPostThere) and (
            not posting or isinstance(problem, NotPosted)
        )
        await _failed(bot, item, now=now, problem=problem, again=again)
        return 0
    if post is not None:
        # Its lines quote narrations: their delete, edit or unshare edits it (ADR 0012).
        assert item.tenant.id is not None
        await narration_copies.keep(
            bot.db,
            tenant_id=item.tenant.id,
            person_id=item.person.id,
            message_id=message_id,
            post=post,
            quotes=quotes,
            now=now,
        )
    await _record(
        bot, item, status=status, sent_at=now if post is not None else None, due=item.upcoming
    )
    return 1 if post is not None else 0


async def _failed(bot: Bot, item: Due, *, now: datetime, problem: Exception, again: bool) -> None:
    """A failed try: the week waits for a retry later that day when nothing was posted and
    tries are left, else it is recorded failed and the row moves to next Monday."""
    retry_at: datetime | None = None
    if again and item.attempt < MAX_ATTEMPTS:
        retry_at = now + RETRY_AFTER[item.attempt - 1]
        if retry_at > item.fire.at + LATE:
            retry_at = None  # no longer that day's digest
    log.warning(
        "follow digest for person %s (week %s, try %d) failed: %s; %s",
        item.person.id,
        item.week,
        item.attempt,
        type(problem).__name__,
        f"trying again at {retry_at:%H:%M} UTC" if retry_at else "not trying again",
    )
    log.debug("follow digest failed", exc_info=problem)
    if retry_at is not None:
        await _record(bot, item, status=RETRY, sent_at=None, due=retry_at)
    else:
        await _record(bot, item, status=FAILED, sent_at=None, due=item.upcoming)


async def _record(
    bot: Bot, item: Due, *, status: str, sent_at: datetime | None, due: datetime
) -> None:
    """The week's outcome and the row's next time, together. If this fails the row is found
    again after ``HOLD``, its week still claimed: moved on, never sent twice."""
    assert item.person.id is not None
    try:
        async with bot.db.transaction() as session:
            await store.finish(
                session, person_id=item.person.id, week=item.week, status=status, now=sent_at
            )
            await store.set_due(session, person_id=item.person.id, due_at=due)
    except Exception as problem:
        log.warning(
            "recording person %s's follow digest (week %s) failed: %s",
            item.person.id,
            item.week,
            type(problem).__name__,
        )


async def compose(
    bot: Bot,
    item: Due,
    *,
    now: datetime,
    private: bool = True,
    fits: Callable[[Post], bool] | None = None,
) -> tuple[Post | None, str, list[tuple[int, str]]]:
    """The DM and the claim's outcome, from what is stored now (the person re-read), and the
    line of the DM that quotes each narration in it (kept, for their edits and deletes).
    ``private=False``: nothing from a private channel (their access couldn't be re-checked).
    ``fits``: whether a DM is one message on the platform (``_post``)."""
    tenant_id = item.tenant.id
    assert tenant_id is not None and item.person.id is not None
    async with bot.db.snapshot() as session:
        person = await session.get(Person, item.person.id)
        if person is None or person.guest or not available(person, now):
            return None, SKIPPED, []
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
                said = asked_stems(row[0].text)
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
        return None, QUIET, []
    calendar = Calendar.of(now, person.timezone, workspace)
    post = _post(person, found, calendar, fits=fits)
    shown = set(post.text.split("\n"))
    quotes = [
        (row[0].id, line)
        for _, rows in found
        for row in rows
        if row[0].id is not None and (line := _line(row, calendar)) in shown
    ]
    return post, SENT, quotes


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


def _line(row: Row, calendar: Calendar) -> str:
    """A narration's line in the DM: its author, its first ``QUOTED`` characters, when, where."""
    narration, channel, author = row
    where = narration.link or written_where(channel, named=narration.audience != "tenant")
    return (
        f"   • <@{author.user_id}>: “{snippet(narration.text, QUOTED)}” "
        f"({calendar.dated(narration.created_at)}, {where})"
    )


def _post(
    person: Person,
    found: Sequence[tuple[str, Sequence[Row]]],
    calendar: Calendar,
    budget: int = MESSAGE_BUDGET,
    fits: Callable[[Post], bool] | None = None,
) -> Post:
    """The DM, within ``budget`` and, where the platform splits long posts, one message of it
    (``fits``): up to ``PER_TOPIC`` narrations per topic, newest first; when that is too long,
    narrations are left out evenly across topics (one from the topic with most listed, again
    and again, its oldest first). Every topic keeps its line, and one that had more says how
    many and where to see them: a cut message would drop the last topics and nobody would
    know, and a split one could fail half delivered, so a retry would repeat its first part.
    (Ten topics of the longest kind with no narration listed fit in one message anywhere.)"""

    first = "New this week about the topics you follow:"
    last = "Only narrations you could already read are listed. /narrate follow lists yours."
    lines = [[_line(r, calendar) for r in rows[:PER_TOPIC]] for _, rows in found]
    weights = [[_weight(x) for x in listed] for listed in lines]
    keep = [len(listed) for listed in lines]

    def total() -> int:
        size = _weight(first) + _weight(last)
        for (topic, rows), kept, weighed in zip(found, keep, weights, strict=True):
            size += _weight(_header(topic)) + sum(weighed[:kept])
            if kept < len(rows):
                size += _weight(_more(topic, len(rows) - kept))
        return size

    def drop_one() -> None:
        most = max(keep)
        drop = max(i for i, kept in enumerate(keep) if kept == most)  # the later topic first
        keep[drop] -= 1

    def built() -> Post:
        names: dict[str, str] = {}
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

    while total() > budget and any(keep):
        drop_one()
    post = built()
    while fits is not None and any(keep) and not fits(post):
        drop_one()
        post = built()
    return post
