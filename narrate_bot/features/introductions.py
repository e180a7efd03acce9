"""The weekly introductions the scheduler delivers: who meets whom this week, and why.

``WeeklyIntroductions`` implements the ``Introductions`` port. The scheduler decides when; this
claims the tenant's week first (a unique row, so a second or concurrent call returns nothing
new), builds each participant from what they narrated where the other may read it, pairs them
with ``knowledge.pairing`` and records every introduction before returning its posts. The
scheduler calls the ``*_in`` forms inside its own transaction, so the round, its introductions
and the posts queued for them commit together or not at all (docs/adr/0007).

Each message's reason is cut to its readers (``intro_reasons.Readers``): the group DM to what
every member may read, the introductions channel to what the whole workspace may read.
"""

from __future__ import annotations

import asyncio
import math
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Settings
from ..events import ChannelKind, Platform, TenantRef
from ..knowledge.fire_times import next_fire, parse_time, zone_named
from ..knowledge.intro_reasons import Readers, Reason, reason
from ..knowledge.pairing import Pairing, Participant, Rules, Suggestion, without_hidden
from ..knowledge.spellings import Spellings
from ..replies import Button, Post
from ..storage import expertise_repo, intro_repo
from ..storage import repositories as repo
from ..storage import schedules as schedule_store
from ..storage.database import Database, Session
from ..storage.preference_tables import ASK_ME, HIDE_ME
from ..storage.schedule_tables import INTROS
from ..storage.tables import Channel, Person
from .schedule_posts import available

CHANNEL_KEY = "intros.channel"  # platform channel id where introductions are posted
DELIVERY_KEY = "intros.delivery"  # channel | dm | both
SAME_TEAM_KEY = "intros.same_team"  # "allowed" lets two people of one team be introduced
# No one is introduced again to someone met in the tenant's latest rounds: counted in rounds,
# so a biweekly workspace keeps as many rounds of new pairs as a weekly one (in weeks it kept
# half). The key keeps its name; in a weekly workspace its weeks were its rounds.
REPEAT_WEEKS_KEY = "intros.repeat_weeks"
CADENCE_KEY = "intros.cadence"  # "biweekly": a round every other week (no row: weekly)
BIWEEKLY = "biweekly"
DELIVERIES = ("channel", "dm", "both")
DEFAULT_DELIVERY = "both"
DEFAULT_REPEAT_ROUNDS = 12
# With nobody new left, the pairs met longest ago come round (``_work_out``), but never two
# people introduced in the tenant's latest MIN_GAP_ROUNDS rounds: two people alone in a
# workspace are introduced again every fifth round, not every week.
MIN_GAP_ROUNDS = 4
LOOKBACK = timedelta(days=90)  # topics and questions from the last three months
PERIOD = "in the last three months"  # how reasons name LOOKBACK
FOLLOW_UP_WITHIN = timedelta(days=7)


def week_of(slot: date) -> str:
    """The round a run belongs to: the ISO week of its slot, the local date it was scheduled
    for. Not the UTC week of the moment it runs: Monday 10:00 in Sydney is Monday 00:00 UTC in
    winter and Sunday 23:00 UTC in summer, and both weeks would be one round."""
    year, week, _ = slot.isocalendar()
    return f"{year}-W{week:02d}"


_RECENT = timedelta(weeks=3)  # wide enough for every round of the weeks counted back


def week_number(week: str) -> int:
    """Weeks since an epoch, from a round's week (``2026-W48``): consecutive ISO weeks are
    consecutive numbers, across a 53-week year too."""
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1).toordinal() // 7


async def undelivered(session: Session, *, tenant_id: int, weeks: Iterable[str]) -> set[str]:
    """The weeks, of ``weeks``, whose round queued introductions of which none reached anyone:
    every post failed or was given up, none sent or still being tried, and none went out to
    anyone before it ended. Such a round sets nobody's pace: a biweekly workspace runs the next
    week, someone introduced every 2 or 4 weeks may be introduced again. A round that queued
    nothing (too few people, or worked out outside the scheduler) counts as it did.

    A group DM sent part-way (some members have it) is narrowed to the rest, and ends failed
    when their tries run out: by its status alone the round reached nobody, though whoever got
    it was introduced, is followed up and rested (``last_introduced``). So a round also counts
    as reached when one of its introductions went out to someone (``delivered_at``, written with
    the narrowing); a narrowed send whose first part reached nobody marks nothing delivered, and
    its round still counts as reaching nobody."""
    wanted = set(weeks)
    slots = {
        date.fromisocalendar(*_iso(week), day).isoformat(): week
        for week in wanted
        for day in range(1, 8)
    }
    reached: dict[str, bool] = {}
    for slot, status in await intro_repo.post_statuses(
        session, tenant_id=tenant_id, slots=list(slots)
    ):
        week = slots[slot]
        reached[week] = reached.get(week, False) or status in (
            schedule_store.SENT,
            schedule_store.PENDING,
        )
    failed = {week for week, any_reached in reached.items() if not any_reached}
    if failed:
        failed -= await intro_repo.delivered_weeks(session, tenant_id=tenant_id, weeks=failed)
    return failed


def _iso(week: str) -> tuple[int, int]:
    year, _, number = week.partition("-W")
    return int(year), int(number)


async def _delivered_weeks(session: Session, *, tenant_id: int, now: datetime) -> set[int]:
    """The week numbers of the tenant's recent rounds that reached someone (``undelivered``)."""
    weeks = await intro_repo.round_weeks(session, tenant_id=tenant_id, since=now - _RECENT)
    failed = await undelivered(session, tenant_id=tenant_id, weeks=weeks)
    return {week_number(w) for w in weeks if w not in failed}


async def off_week(session: Session, *, tenant_id: int, week: str, now: datetime) -> bool:
    """Whether a workspace whose admins chose a round every other week has none in ``week``:
    one came the week before and reached someone. Counted from the latest such round, so a
    workspace that turns it on right after a round skips the next week, and one whose last
    round is older, or wasn't delivered, runs now. Only read here: a week that runs is still
    claimed once (``claim_week``)."""
    if await repo.get_setting(session, tenant_id=tenant_id, key=CADENCE_KEY) != BIWEEKLY:
        return False
    this = week_number(week)
    return this - 1 in await _delivered_weeks(session, tenant_id=tenant_id, now=now)


async def next_round(session: Session, *, tenant_id: int, now: datetime) -> datetime | None:
    """When the workspace's next round will actually run: the first firing of its
    introductions slot after ``now`` whose week is neither claimed already nor, in a workspace
    with a round every other week, the week right after a round (``off_week``). A workspace
    with no slot yet has the default one's (the scheduler adds it at its next tick); ``None``
    only when none of the next three weeks runs."""
    slots = [
        (schedule.days, parse_time(schedule.local_time), schedule.timezone)
        for schedule, _ in await schedule_store.schedules_of(
            session, tenant_id=tenant_id, kinds=[INTROS]
        )
    ]
    if not slots:
        from . import schedule_settings as default  # the defaults live with their command

        zone_name = await repo.get_setting(
            session, tenant_id=tenant_id, key=default.TENANT_ZONE_KEY
        )
        slots = [(1 << default.INTROS_DEFAULT_DAY, default.INTROS_DEFAULT_TIME, zone_name or "UTC")]
    biweekly = await repo.get_setting(session, tenant_id=tenant_id, key=CADENCE_KEY) == BIWEEKLY
    claimed = {
        week_number(w)
        for w in await intro_repo.round_weeks(session, tenant_id=tenant_id, since=now - _RECENT)
    }
    delivered = await _delivered_weeks(session, tenant_id=tenant_id, now=now)
    fires = []
    for days, at, zone_name in slots:
        try:
            zone = zone_named(zone_name)
        except Exception:  # a zone removed from tzdata since: the scheduler falls back to UTC
            zone = ZoneInfo("UTC")
        after = now
        for _ in range(3):  # a week runs at most once, so the third week at the latest
            fire = next_fire(after, days=days, at=at, zone=zone)
            fires.append(fire)
            after = fire.at
    for fire in sorted(fires, key=lambda f: f.at):
        week = week_number(week_of(fire.slot))
        if week in claimed or (biweekly and week - 1 in delivered):
            continue
        return fire.at
    return None


async def due_this_week(
    session: Session, people: list[Person], *, tenant_id: int, week: str, now: datetime
) -> list[Person]:
    """``people`` without whoever chose to be introduced every 2 or 4 weeks and was introduced
    in a round fewer weeks before ``week`` than that (/narrate intros every), by an
    introduction that went out: one that was refused rests nobody."""
    every = await intro_repo.every_weeks(session, tenant_id=tenant_id)
    slow = [p.id for p in people if p.id is not None and every.get(p.id, 1) > 1]
    if not slow:
        return people
    longest = max(every[k] for k in slow)
    weeks = await intro_repo.last_introduced(
        session, person_ids=slow, since=now - timedelta(weeks=longest) - _RECENT
    )
    this = week_number(week)
    resting = {
        k for k in slow if any(0 <= this - week_number(w) < every[k] for w in weeks.get(k, ()))
    }
    return [p for p in people if p.id not in resting]


def utc_offset(zone: str | None, now: datetime) -> float | None:
    if not zone:
        return None
    try:
        offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return offset.total_seconds() / 3600 if offset is not None else None


def outcome_buttons(
    number: int, *, skip: bool = True, biweekly: bool = False
) -> tuple[Button, ...]:
    """Buttons that type the command for the introduction's per-tenant ``number``: a click is
    resolved in the clicker's own workspace, like the typed command. Where rounds run every
    other week there is no round next week: the skip button says what it skips there."""
    buttons: tuple[Button, ...] = (
        Button(label="We met", command=f"/narrate intros met {number}"),
        Button(label="Not useful", command=f"/narrate intros not-useful {number}"),
    )
    if skip:
        label = "Skip my next round" if biweekly else "Skip me next week"
        buttons += (Button(label=label, command="/narrate intros skip"),)
    return buttons


@dataclass
class WeekInputs:
    """Everything a week's pairing is worked out from, read from the database in one go."""

    people: list[Person]
    topics: list[intro_repo.TopicRow]
    readers: dict[str, set[int]]
    asked: dict[int, set[str]]
    never: dict[int, set[str]]
    disliked: dict[int, set[str]]
    recent: list[intro_repo.RecentGroup]
    history: list[list[tuple[int, str | None]]]
    same_team: str | None
    hidden: dict[int, list[str]]
    offers: dict[int, list[str]]  # ask-me-about topics, as declared
    channel: Channel | None
    delivery: str
    fingerprints: dict[int, tuple[int, float, str, int]]  # intro_repo.narration_fingerprints
    channel_kinds: dict[int, str]
    # The weeks of the tenant's rounds in the no-repeat window (``intro_repo.latest_rounds``),
    # those that queued nothing too: what MIN_GAP_ROUNDS counts.
    round_weeks: list[str] = field(default_factory=list)


@dataclass
class WeekPlan:
    """A week's introductions worked out, not yet stored: each suggestion with the reason its
    group is told and the one its channel post may give (for ``channel`` as it was then)."""

    tenant_id: int
    week: str
    people: dict[int, Person]
    pairing: Pairing
    suggestions: list[Suggestion]
    told: list[Reason]
    posted: list[Reason]
    channel: Channel | None
    delivery: str
    label: Callable[[str], str]  # a topic as stored -> as the pairing names it (spellings folded)
    # Who ``posted`` was cut for: ``channel`` as it was read then (``_channel_readers``).
    readers: Readers
    # For each suggestion, when two of its members were last introduced (the window shortened:
    # nobody new left to meet), else ``None``.
    again: list[MetBefore | None]
    # What it was worked out from, to tell what changed since; without its topic rows, which
    # live on in ``pairing``: kept, 70,000 of them at 2,000 people were walked by every full
    # garbage collection while the round is stored, the event loop waiting.
    inputs: WeekInputs


class WeeklyIntroductions:
    """The ``Introductions`` port, built from the database and settings.

    A week is worked out in three steps so a large workspace never stalls the bot: its inputs
    are read outside any write transaction (one snapshot on SQLite, without its write lock), the
    pairs and reasons are computed in a worker thread (tens of seconds of CPU for thousands of
    people, which on the event loop kept every command, and Slack's 3-second acknowledgements,
    waiting), then the reasons of whoever changed meanwhile are drawn again in a snapshot, and
    only storing the round is a write transaction, which re-checks that everyone may still be
    introduced. 8,000 people: one 74 s write transaction with the loop blocked before; see
    docs/adr/0008.
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def weekly(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        """The port: the week of the UTC date of ``now``, worked out, then stored."""
        slot = now.astimezone(UTC).date()
        plan = await self.plan_week(tenant=tenant, slot=slot, now=now)
        async with self.db.transaction() as session:
            # Its caller delivers the posts itself: they count as delivered now.
            return await self.weekly_in(
                session, tenant=tenant, slot=slot, now=now, plan=plan, delivered=True
            )

    async def follow_up(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        async with self.db.transaction() as session:
            return await self.follow_up_in(session, tenant=tenant, now=now)

    async def plan_week(
        self, *, tenant: TenantRef, slot: date, now: datetime, outsiders_read: bool = False
    ) -> WeekPlan | None:
        """The week of ``slot`` worked out ahead of claiming it, outside any write transaction;
        ``None`` when there is nothing to work out (no such tenant yet, or the week is taken).
        ``outsiders_read``: the introductions channel counts as read by people from another
        organisation whatever its stored flag says (the platform couldn't say who reads it)."""
        week = week_of(slot)
        async with self.db.snapshot() as session:
            tenant_id = await intro_repo.unclaimed_tenant(
                session, platform=tenant.platform.value, external_id=tenant.tenant_id, week=week
            )
            if tenant_id is None or await off_week(
                session, tenant_id=tenant_id, week=week, now=now
            ):
                return None
            inputs = await _read_inputs(
                session, tenant_id=tenant_id, now=now, platform=tenant.platform, week=week
            )
        plan = await asyncio.to_thread(
            _work_out, inputs, tenant_id=tenant_id, now=now, week=week, outsiders=outsiders_read
        )
        # What changed while it was worked out reaches its reasons here, in a snapshot too: read
        # in the write transaction that stores the round, it held every command's write back
        # (0.4 s of the 0.7 s at 2,000 people on SQLite); only who may still meet whom is
        # checked again there (``_still_available``).
        async with self.db.snapshot() as session:
            return await _still_valid(
                session, plan, now=now, platform=tenant.platform, outsiders=outsiders_read
            )

    async def weekly_in(
        self,
        session: Session,
        *,
        tenant: TenantRef,
        slot: date,
        now: datetime,
        plan: WeekPlan | None = None,
        delivered: bool = False,
        outsiders_read: bool = False,
    ) -> list[Post]:
        """The introductions of the week of ``slot``, recorded in the caller's transaction;
        nothing if that week already had its round. ``plan`` (from ``plan_week``) is used when
        it is this week's: everyone in it is checked again, and a group with someone who may
        no longer be introduced (paused, left, asked never to meet the other, …) is dropped.
        Without one the week is worked out here, inside the caller's transaction. The
        introductions are stored undelivered unless ``delivered`` (the caller posts them at
        once): the scheduler marks each as its first post goes out. ``outsiders_read``: the
        channel post is cut for people from another organisation whatever the channel's stored
        flag says (the platform couldn't say who reads it; that guess is never stored)."""
        row = await repo.ensure_tenant(
            session,
            platform=tenant.platform.value,
            external_id=tenant.tenant_id,
            name=tenant.name,
            now=now,
        )
        assert row.id is not None
        week = week_of(slot)
        if await off_week(session, tenant_id=row.id, week=week, now=now):
            return []  # not claimed: the week stays one without a round
        round_id = await intro_repo.claim_week(session, tenant_id=row.id, week=week, now=now)
        if round_id is None:
            return []
        # Questions older than any week reads are kept for nothing: gone with each round.
        await intro_repo.forget_asked_before(session, tenant_id=row.id, before=now - LOOKBACK)
        if plan is None or plan.tenant_id != row.id or plan.week != week:
            inputs = await _read_inputs(
                session, tenant_id=row.id, now=now, platform=tenant.platform, week=week
            )
            plan = await asyncio.to_thread(
                _work_out, inputs, tenant_id=row.id, now=now, week=week, outsiders=outsiders_read
            )
        else:
            plan = await _still_available(
                session, plan, now=now, platform=tenant.platform, outsiders=outsiders_read
            )
        post_in = (
            plan.channel.channel_id
            if plan.channel and plan.delivery in ("channel", "both")
            else None
        )
        as_dm = plan.delivery in ("dm", "both") or post_in is None
        kept = [
            told if as_dm else posted for told, posted in zip(plan.told, plan.posted, strict=True)
        ]
        numbers = await intro_repo.add_introductions(
            session,
            tenant_id=row.id,
            round_id=round_id,
            introductions=[
                intro_repo.NewIntroduction(
                    members=[(k, plan.people[k].team) for k in suggestion.members],
                    topics=list(why.topics),
                    answers_question=why.answers_question,
                )
                for suggestion, why in zip(plan.suggestions, kept, strict=True)
            ],
            now=now,
            delivered_at=now if delivered else None,
        )
        biweekly = await repo.get_setting(session, tenant_id=row.id, key=CADENCE_KEY) == BIWEEKLY
        posts: list[Post] = []
        for number, suggestion, told, posted, again in zip(
            numbers, plan.suggestions, plan.told, plan.posted, plan.again, strict=True
        ):
            group = [plan.people[k] for k in suggestion.members]
            posts += _deliver(
                number,
                group,
                channel=post_in,
                as_dm=as_dm,
                told=told,
                posted=posted,
                biweekly=biweekly,
                again=again,
            )
        return posts

    async def follow_up_in(
        self, session: Session, *, tenant: TenantRef, now: datetime
    ) -> list[Post]:
        """The mid-week questions, the introductions marked asked in the caller's transaction."""
        row = await repo.ensure_tenant(
            session,
            platform=tenant.platform.value,
            external_id=tenant.tenant_id,
            name=tenant.name,
            now=now,
        )
        assert row.id is not None
        due = await intro_repo.claim_follow_ups(
            session, tenant_id=row.id, since=now - FOLLOW_UP_WITHIN, now=now
        )
        # Only introductions that went out (``delivered_at``) are due: one whose posts were
        # all refused isn't asked after, whether or not the rest of its round went out.
        posts = []
        missed = await intro_repo.unreached(
            session, introduction_ids=[i.id for i in due if i.id is not None]
        )
        for introduction in due:
            assert introduction.id is not None
            members = await intro_repo.members(session, introduction_id=introduction.id)
            taking_part = await intro_repo.taking_part(
                session, person_ids=[p.id for p in members if p.id is not None]
            )
            # Whoever paused, left narrate-bot or left introductions since hears nothing more
            # about it; one person left alone has nobody to have met.
            group = [p for p in members if available(p, now) and p.id in taking_part]
            # Whoever its group DM never reached (given up for them, others got it) wasn't
            # introduced: only those who got it are asked, and still about everyone in it.
            asked = [p for p in group if (introduction.id, p.id) not in missed]
            if len(group) < 2 or not asked:
                continue
            number = introduction.number
            posts.append(
                Post(
                    text=(
                        f"Introduction #{number}: did you get to meet "
                        f"{_names(group)}? Tell me with a button (or "
                        f"/narrate intros met {number}); it helps me suggest "
                        "better introductions."
                    ),
                    to_users=tuple(p.user_id for p in asked),
                    buttons=outcome_buttons(number, skip=False),
                    names={p.user_id: p.display_name or p.user_id for p in group},
                    pointer=(
                        f"I have a question for you about introduction #{number}, but I "
                        "couldn't send it as a DM: open your DMs, or answer with "
                        f"/narrate intros met {number}."
                    ),
                )
            )
        return posts


async def _read_inputs(
    session: Session, *, tenant_id: int, now: datetime, platform: Platform, week: str
) -> WeekInputs:
    # Whoever asked to be forgotten and may still confirm is left out, like every other
    # scheduled message holds off for them meanwhile.
    people = [
        p
        for p in await intro_repo.available_people(session, tenant_id=tenant_id, now=now)
        if available(p, now)
    ]
    people = await due_this_week(session, people, tenant_id=tenant_id, week=week, now=now)
    ids = [p.id for p in people if p.id is not None]
    rounds = int(
        await repo.get_setting(session, tenant_id=tenant_id, key=REPEAT_WEEKS_KEY)
        or DEFAULT_REPEAT_ROUNDS
    )
    hidden, offers = await _choices(session, tenant_id=tenant_id)
    return WeekInputs(
        people=people,
        topics=await intro_repo.narrated_topics(
            session, person_ids=ids, since=now - LOOKBACK, before=now
        ),
        readers=await intro_repo.private_readers(
            session, tenant_id=tenant_id, user_ids=[p.user_id for p in people]
        ),
        asked=await intro_repo.asked_topics(session, person_ids=ids, since=now - LOOKBACK),
        never=await intro_repo.never_pairs(
            session, person_ids=ids, everywhere=platform_wide_never_pairs(platform)
        ),
        disliked=await intro_repo.disliked_topics(session, person_ids=ids),
        # No repeat within the latest rounds, of the introductions that went out: a pair
        # whose introduction was refused may meet the next round.
        recent=await intro_repo.recent_groups(
            session, tenant_id=tenant_id, rounds=rounds, before_week=week
        ),
        round_weeks=list(
            (
                await intro_repo.latest_rounds(
                    session, tenant_id=tenant_id, rounds=rounds, before_week=week
                )
            ).values()
        ),
        history=await intro_repo.past_groups(session, tenant_id=tenant_id),
        same_team=await repo.get_setting(session, tenant_id=tenant_id, key=SAME_TEAM_KEY),
        hidden=hidden,
        offers=offers,
        channel=await _intros_channel(session, tenant_id=tenant_id),
        delivery=(
            await repo.get_setting(session, tenant_id=tenant_id, key=DELIVERY_KEY)
            or DEFAULT_DELIVERY
        ),
        fingerprints=await intro_repo.narration_fingerprints(
            session, tenant_id=tenant_id, since=now - LOOKBACK, before=now
        ),
        channel_kinds=await intro_repo.channel_kinds(session, tenant_id=tenant_id),
    )


async def _choices(
    session: Session, *, tenant_id: int
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each person's hide-me topics and ask-me-about topics, as they typed them."""
    hidden: dict[int, list[str]] = defaultdict(list)
    offers: dict[int, list[str]] = defaultdict(list)
    for pref in await expertise_repo.tenant_preferences(session, tenant_id=tenant_id):
        if pref.kind == HIDE_ME:
            hidden[pref.person_id].append(pref.topic)
        elif pref.kind == ASK_ME:
            offers[pref.person_id].append(pref.topic)
    return hidden, offers


def _strength(counts: dict[str, int]) -> dict[str, float]:
    """How much someone narrates each topic, as the weight and the reasons read it."""
    return {topic: 1 + math.log(count) for topic, count in counts.items() if count > 1}


def _work_out(
    inputs: WeekInputs, *, tenant_id: int, now: datetime, week: str, outsiders: bool = False
) -> WeekPlan:
    """The week's pairs and their reasons: CPU only, no database, safe in a worker thread.

    A workspace where every allowed pair was introduced within the no-repeat window would have
    no round until the window moved on (12 weeks of silence for four people): then the window
    is shortened from its oldest round, as little as lets someone meet again, so the pairs
    introduced longest ago come round first (as Donut re-pairs), and are told so. It is never
    shortened below the tenant's latest MIN_GAP_ROUNDS rounds: nobody is introduced again to
    someone met in those (two people alone are introduced every fifth round, not every week).
    The most shortened window is tried first, and the round is empty if it pairs nobody (one
    team, same-team introductions off); else the least shortening that pairs someone is found
    by bisection (allowing more pairs only adds options)."""
    pairing, label = _pairing(inputs, now=now, week=week)
    suggestions = pairing.plan()
    fallback = False
    if not suggestions and len(inputs.people) > 1:
        fallback, pairing, label, suggestions = _shortened(
            inputs, now=now, week=week, pairing=pairing, label=label
        )
    readers = _channel_readers(inputs.channel, outsiders=outsiders)
    return WeekPlan(
        tenant_id=tenant_id,
        week=week,
        people={p.id: p for p in inputs.people if p.id is not None},
        pairing=pairing,
        suggestions=suggestions,
        told=[reason(s, pairing, period=PERIOD) for s in suggestions],
        again=_met_before(suggestions, inputs.recent, week=week)
        if fallback
        else [None] * len(suggestions),
        # Stored for "not useful" and the export, which only the members read: what the
        # message they were sent said, never more (``weekly_in`` keeps one of the two).
        posted=[reason(s, pairing, period=PERIOD, readers=readers) for s in suggestions],
        channel=inputs.channel,
        delivery=inputs.delivery,
        label=label,
        readers=readers,
        inputs=replace(inputs, topics=[]),
    )


def _shortened(
    inputs: WeekInputs,
    *,
    now: datetime,
    week: str,
    pairing: Pairing,
    label: Callable[[str], str],
) -> tuple[bool, Pairing, Callable[[str], str], list[Suggestion]]:
    """``_work_out``'s fallback: the pairing of the least shortened window that pairs someone,
    never shorter than the latest MIN_GAP_ROUNDS rounds; (False, the unshortened ones, []) if
    none does."""
    latest = sorted(set(inputs.round_weeks) | {past.week for past in inputs.recent})
    if len(latest) < MIN_GAP_ROUNDS:
        return False, pairing, label, []
    floor = latest[-MIN_GAP_ROUNDS]
    # Each window to try, from the least shortened (its oldest round dropped) to the most.
    sinces = [w for w in sorted({past.week for past in inputs.recent})[1:] if w < floor]
    sinces.append(floor)
    tried: dict[int, tuple[Pairing, Callable[[str], str], list[Suggestion]]] = {}

    def attempt(i: int) -> list[Suggestion]:
        shortened, spelling = _pairing(inputs, now=now, week=week, since=sinces[i])
        tried[i] = (shortened, spelling, shortened.plan())
        return tried[i][2]

    if not attempt(len(sinces) - 1):
        return False, pairing, label, []
    low, high = 0, len(sinces) - 1  # ``high`` pairs someone; every window before ``low`` none
    while low < high:
        middle = (low + high) // 2
        if attempt(middle):
            high = middle
        else:
            low = middle + 1
    return True, *tried[high]


@dataclass(frozen=True)
class _Standing:
    """Who of a plan may still be introduced, and where its channel post goes, as read now."""

    people: dict[int, Person]
    kept: list[int]  # the plan's suggestions whose members may all still meet
    channel: Channel | None
    delivery: str


async def _standing(
    session: Session, plan: WeekPlan, *, now: datetime, platform: Platform
) -> _Standing:
    ready = [
        p
        for p in await intro_repo.available_people(session, tenant_id=plan.tenant_id, now=now)
        if p.id is not None and available(p, now)
    ]
    ready = await due_this_week(session, ready, tenant_id=plan.tenant_id, week=plan.week, now=now)
    current = {p.id: p for p in ready if p.id is not None}
    never = await intro_repo.never_pairs(
        session, person_ids=list(plan.people), everywhere=platform_wide_never_pairs(platform)
    )
    channel = await _intros_channel(session, tenant_id=plan.tenant_id)
    delivery = (
        await repo.get_setting(session, tenant_id=plan.tenant_id, key=DELIVERY_KEY)
        or DEFAULT_DELIVERY
    )
    kept = [
        i
        for i, suggestion in enumerate(plan.suggestions)
        if all(k in current for k in suggestion.members)
        and not any(
            current[b].user_id in never.get(a, ()) or current[a].user_id in never.get(b, ())
            for a, b in combinations(suggestion.members, 2)
        )
    ]
    return _Standing(current, kept, channel, delivery)


async def _still_available(
    session: Session, plan: WeekPlan, *, now: datetime, platform: Platform, outsiders: bool
) -> WeekPlan:
    """``plan`` (checked by ``_still_valid`` moments before, in a snapshot) as it is stored,
    in the write transaction: without any group with someone who may no longer be introduced
    (paused, left, asked never to meet another), with current names and teams, and the channel
    post's reason cut again if the introductions channel's readers changed. Only these cheap
    reads hold the write lock; their topics were brought up to date in the snapshot."""
    now_ = await _standing(session, plan, now=now, platform=platform)
    readers = _channel_readers(now_.channel, outsiders=outsiders)
    recut = readers != plan.readers
    return replace(
        plan,
        people=now_.people,
        suggestions=[plan.suggestions[i] for i in now_.kept],
        told=[plan.told[i] for i in now_.kept],
        again=[plan.again[i] for i in now_.kept],
        posted=[
            reason(plan.suggestions[i], plan.pairing, period=PERIOD, readers=readers)
            if recut
            else plan.posted[i]
            for i in now_.kept
        ],
        channel=now_.channel,
        delivery=now_.delivery,
        readers=readers,
    )


async def _still_valid(
    session: Session, plan: WeekPlan, *, now: datetime, platform: Platform, outsiders: bool
) -> WeekPlan:
    """The plan as it stands now: groups whose members may all still be introduced to each
    other, with their current names and teams, the reasons of whoever changed what they
    narrate, hide or may read drawn again, and the channel post's reason for the introductions
    channel and delivery as they are now."""
    standing = await _standing(session, plan, now=now, platform=platform)
    current, kept, channel, delivery = (
        standing.people,
        standing.kept,
        standing.channel,
        standing.delivery,
    )
    keys = sorted({k for i in kept for k in plan.suggestions[i].members})
    changed = await _refresh_changed(session, plan, keys=keys, people=current, now=now)
    # A reason is drawn again where one of its people changed what they narrate, hide or may
    # read since the plan was made; the channel post's too where the channel's readers changed.
    readers = _channel_readers(channel, outsiders=outsiders)
    recut = readers != plan.readers
    suggestions, told, posted = [], [], []
    for i in kept:
        suggestion = plan.suggestions[i]
        if changed & set(suggestion.members):
            suggestion = plan.pairing.suggestion(suggestion.members)
            told.append(reason(suggestion, plan.pairing, period=PERIOD))
            posted.append(reason(suggestion, plan.pairing, period=PERIOD, readers=readers))
        else:
            told.append(plan.told[i])
            posted.append(
                reason(suggestion, plan.pairing, period=PERIOD, readers=readers)
                if recut
                else plan.posted[i]
            )
        suggestions.append(suggestion)
    return replace(
        plan,
        people=current,
        suggestions=suggestions,
        told=told,
        again=[plan.again[i] for i in kept],
        posted=posted,
        channel=channel,
        delivery=delivery,
        readers=readers,
    )


async def _refresh_changed(
    session: Session, plan: WeekPlan, *, keys: list[int], people: dict[int, Person], now: datetime
) -> set[int]:
    """The planned people whose topics changed while the week was worked out (a narration
    deleted, edited or unshared, a topic hidden, a private channel joined or left, a channel's
    kind changed), brought up to date in the plan's pairing; returns who they are.

    Told apart by cheap comparisons (per-person fingerprints of their narrations, the hide-me
    choices, private memberships, channel kinds) so that only the few who changed have their
    topics read again: reading every participant's topics again in the write transaction held
    the lock for 9 s at 8,000 people (it runs in a snapshot now, ``plan_week``). A topic nobody
    had when the week was worked out isn't added (the pairing has no weight for it); a reason
    drawn again can only cite fewer."""
    before = plan.inputs
    tenant_id = plan.tenant_id
    hidden, offers = await _choices(session, tenant_id=tenant_id)
    readers = await intro_repo.private_readers(
        session, tenant_id=tenant_id, user_ids=[people[k].user_id for k in keys]
    )
    prints = await intro_repo.narration_fingerprints(
        session, tenant_id=tenant_id, since=now - LOOKBACK, before=now
    )
    kinds = await intro_repo.channel_kinds(session, tenant_id=tenant_id)
    if kinds != before.channel_kinds:
        changed = set(keys)  # rare: every topic's readers may have moved
    else:
        changed = {
            k
            for k in keys
            if prints.get(k) != before.fingerprints.get(k)
            or sorted(hidden.get(k, ())) != sorted(before.hidden.get(k, ()))
            or sorted(offers.get(k, ())) != sorted(before.offers.get(k, ()))
            or readers.get(people[k].user_id, set()) != before.readers.get(people[k].user_id, set())
        }
    if not changed:
        return changed
    rows = await intro_repo.narrated_topics(
        session, person_ids=sorted(changed), since=now - LOOKBACK, before=now
    )
    known = plan.pairing.idf
    topics: dict[int, dict[str, set[int | None]]] = defaultdict(lambda: defaultdict(set))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if (name := plan.label(row.topic)) in known:
            topics[row.person_id][name].add(row.scope)
            counts[row.person_id][name] += row.narrations
    for key in changed:
        fresh = replace(
            plan.pairing.people[key],
            topics={t: frozenset(scopes) for t, scopes in topics[key].items()},
            strength=_strength(counts[key]),
            readable=frozenset(readers.get(people[key].user_id, ())),
            offers=frozenset(offers.get(key, ())),
        )
        plan.pairing.refresh(without_hidden(fresh, hidden.get(key, ())))
    return changed


def _pairing(
    inputs: WeekInputs, *, now: datetime, week: str, since: str = ""
) -> tuple[Pairing, Callable[[str], str]]:
    """The week's pairing; no repeat of the window's introductions from the round of ``since``
    on (all of them without it)."""
    partners: dict[int, set[int]] = defaultdict(set)
    for past in inputs.recent:
        if past.week < since:
            continue
        for (a, _), (b, _) in combinations(past.group, 2):
            partners[a].add(b)
            partners[b].add(a)
    # "café" narrated by one and "cafe" by the other is a topic they share, named one way.
    spelling = Spellings(row.topic for row in inputs.topics).label
    by_person: dict[int, dict[str, set[int | None]]] = defaultdict(lambda: defaultdict(set))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in inputs.topics:
        by_person[row.person_id][spelling(row.topic)].add(row.scope)
        counts[row.person_id][spelling(row.topic)] += row.narrations
    asked, disliked, never = inputs.asked, inputs.disliked, inputs.never
    # One frozenset per distinct set of places, shared by every topic narrated there (nearly all
    # are "public only"): one per topic was 70,000 sets at 2,000 people, each walked by every
    # full garbage collection while this runs in its thread, the event loop waiting meanwhile.
    places: dict[frozenset[int | None], frozenset[int | None]] = {}

    def shared(scopes: set[int | None]) -> frozenset[int | None]:
        key = frozenset(scopes)
        return places.setdefault(key, key)

    participants = [
        Participant(
            key=p.id,
            user_id=p.user_id,
            team=p.team,
            utc_offset=utc_offset(p.timezone, now),
            topics={t: shared(s) for t, s in by_person[p.id].items()},
            asked=frozenset(spelling(t) for t in asked.get(p.id, ())),
            readable=frozenset(inputs.readers.get(p.user_id, ())),
            disliked=frozenset(spelling(t) for t in disliked.get(p.id, ())),
            never=frozenset(never.get(p.id, ())),
            recent_partners=frozenset(partners.get(p.id, ())),
            strength=_strength(counts[p.id]),
            offers=frozenset(inputs.offers.get(p.id, ())),
        )
        for p in inputs.people
        if p.id is not None
    ]
    participants = [without_hidden(p, inputs.hidden.get(p.key, ())) for p in participants]
    introduced = _introduced(inputs.history)
    pairing = Pairing(
        participants,
        rules=Rules(cross_team_only=inputs.same_team != "allowed", seed=zlib.crc32(week.encode())),
        team_ties=_team_ties(introduced, inputs.people, inputs.readers),
        introduced=introduced,
    )
    return pairing, spelling


@dataclass(frozen=True)
class MetBefore:
    """Two of a suggestion's members were introduced ``weeks`` ago, in the window, and posted
    in each channel of ``posted_in`` then (every one of their introductions that week, if
    several). None: by group DM only, which they alone read, so no channel post may tell it."""

    weeks: int
    posted_in: frozenset[str]


def _met_before(
    suggestions: list[Suggestion], recent: list[intro_repo.RecentGroup], *, week: str
) -> list[MetBefore | None]:
    """For each suggestion, when two of its members were last introduced within the window,
    if they were: each pair's latest introductions are read from ``recent`` once, not the
    window walked again for every suggestion."""
    last: dict[frozenset[int], tuple[str, list[int]]] = {}
    for index, past in enumerate(recent):
        for (a, _), (b, _) in combinations(past.group, 2):
            pair = frozenset((a, b))
            seen = last.get(pair)
            if seen is None or seen[0] < past.week:
                last[pair] = (past.week, [index])
            elif seen[0] == past.week:
                seen[1].append(index)
    again: list[MetBefore | None] = []
    for suggestion in suggestions:
        met = [
            last[pair]
            for a, b in combinations(suggestion.members, 2)
            if (pair := frozenset((a, b))) in last
        ]
        if not met:
            again.append(None)
            continue
        latest = max(when for when, _ in met)
        that_week = {i for when, indices in met if when == latest for i in indices}
        again.append(
            MetBefore(
                weeks=week_number(week) - week_number(latest),
                posted_in=frozenset.intersection(*(recent[i].posted_in for i in that_week)),
            )
        )
    return again


def _introduced(history: list[list[tuple[int, str | None]]]) -> dict[frozenset[str], int]:
    """Introductions so far between each pair of teams: all a reason may say about teams."""
    ties: dict[frozenset[str], int] = defaultdict(int)
    for group in history:
        teams = sorted({team for _, team in group if team})
        for pair in combinations(teams, 2):
            ties[frozenset(pair)] += 1
    return dict(ties)


def _team_ties(
    introduced: dict[frozenset[str], int],
    people: list[Person],
    readers: dict[str, set[int]],
) -> dict[frozenset[str], int]:
    """Ties between teams so far, for the weight: introductions between them, and private
    channels (working groups) that people of both read. Public channels say nothing: everyone
    may read them."""
    ties: dict[frozenset[str], int] = defaultdict(int, introduced)
    teams_in: dict[int, set[str]] = defaultdict(set)
    for person in people:
        if person.team:
            for channel_pk in readers.get(person.user_id, ()):
                teams_in[channel_pk].add(person.team)
    for readers_teams in teams_in.values():
        for pair in combinations(sorted(readers_teams), 2):
            ties[frozenset(pair)] += 1
    return dict(ties)


def platform_wide_never_pairs(platform: Platform) -> bool:
    """Whether a never-pair wish holds in every tenant of the platform. A Discord user id is
    one person in every server, so a wish made in one server is theirs everywhere (and honouring
    it tells nobody anything). Slack user ids are only unique within a workspace: a wish there
    names someone of that workspace alone."""
    return platform is Platform.DISCORD


async def _intros_channel(session: Session, *, tenant_id: int) -> Channel | None:
    """The introductions channel, if it is one of this tenant's the bot has seen. A stored id
    that isn't (set before channels were checked: perhaps another server's channel) is never
    posted in; the introductions go by direct message instead."""
    channel_id = await repo.get_setting(session, tenant_id=tenant_id, key=CHANNEL_KEY)
    if channel_id is None:
        return None
    found = await expertise_repo.find_channel(
        session, tenant_id=tenant_id, channel_id=channel_id, name=None
    )
    if found is None or found.kind == ChannelKind.DIRECT.value:
        return None
    return found


def _channel_readers(channel: Channel | None, *, outsiders: bool = False) -> Readers:
    """Who reads the introductions channel: the workspace, or people from another organisation
    too (a Slack Connect channel), who may read none of its narrations. A channel whose readers
    aren't known counts as read by outsiders: never as the workspace alone; so does one the
    platform couldn't describe just now (``outsiders``), whatever its stored flag says."""
    if channel is None or outsiders:
        return Readers.OUTSIDE
    return Readers.OUTSIDE if channel.shared else Readers.WORKSPACE


_NUMBERED = re.compile(r"^Introduction #(\d+):")


def text_start(number: int) -> str:
    """How introduction ``number``'s post begins (``_text``; ``introduction_number`` reads it):
    what finds a send of it still queued (``intro_repo.being_sent``)."""
    return f"Introduction #{number}:"


def introduction_number(text: str) -> int | None:
    """The number of the introduction a post (or its follow-up) is about, from how ``_text``
    and ``follow_up_in`` begin; ``None`` for any other post."""
    match = _NUMBERED.match(text)
    return int(match.group(1)) if match else None


def _names(group: list[Person]) -> str:
    mentions = [f"<@{p.user_id}>" for p in group]
    return ", ".join(mentions[:-1]) + " and " + mentions[-1]


def _text(number: int, group: list[Person], reason: str, *, again: int | None = None) -> str:
    named = [f"<@{p.user_id}>" + (f" ({p.team})" if p.team else "") for p in group]
    if len(named) == 2:
        meet = f"{named[0]}, meet {named[1]}"
    else:
        meet = f"{', '.join(named[:-1])} and {named[-1]}, meet each other"
    before = ""
    if again is not None:
        weeks = "1 week" if again == 1 else f"{again} weeks"
        some = "You were" if len(group) == 2 else "Some of you were"
        before = (
            f"{some} introduced before, {weeks} ago: nobody new is left to meet, so the "
            "introductions made longest ago come round again.\n"
        )
    return (
        f"Introduction #{number}: {meet}.\n"
        f"Why: {reason}.\n"
        f"{before}"
        "Find 20 minutes this week to compare notes, then tell me how it went."
    )


def _deliver(
    number: int,
    group: list[Person],
    *,
    channel: str | None,
    as_dm: bool,
    told: Reason,
    posted: Reason,
    biweekly: bool = False,
    again: MetBefore | None = None,
) -> list[Post]:
    """The channel post carries the reason everyone may read; the group DM the members' own.
    ``again``: when they were last introduced, if nobody new was left to meet; the channel post
    says so only if that introduction was posted in the same channel (one sent by group DM only
    was known to them alone), the group DM always."""
    names = {p.user_id: p.display_name or p.user_id for p in group}
    buttons = outcome_buttons(number, biweekly=biweekly)
    posts = []
    if channel:
        seen = again is not None and channel in again.posted_in
        text = _text(number, group, posted.line, again=again.weeks if again and seen else None)
        posts.append(Post(text=text, channel_id=channel, buttons=buttons, names=names))
    if as_dm:
        posts.append(
            Post(
                text=_text(number, group, told.line, again=again.weeks if again else None),
                to_users=tuple(p.user_id for p in group),
                buttons=buttons,
                names=names,
                pointer=(
                    f"I have an introduction for you (#{number}), but I couldn't send it as a "
                    "DM: open your DMs, or use /narrate intros."
                ),
            )
        )
    return posts
