"""Data access for the weekly introductions: who takes part, what they narrated and may read,
who they met, and the claim that makes one tenant's week happen once."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.topics import is_topic_in_text, shown_topic
from .database import conflict_insert
from .intro_tables import (
    IntroAskedTopic,
    Introduction,
    IntroFeedback,
    IntroMember,
    IntroNeverPair,
    IntroParticipant,
    IntroPost,
    IntroRound,
)
from .numbering import ATTEMPTS
from .repositories import suggestable
from .schedule_tables import INTROS, Schedule, ScheduleSend
from .schedules import PENDING
from .tables import (
    Channel,
    ChannelMember,
    Narration,
    NarrationTopic,
    Person,
    Tenant,
    TenantSetting,
)
from .topic_filter import taken_as_written

MET, NOT_USEFUL = "met", "not_useful"
# Rows of a large read taken from the database and worked through at a time, the event loop
# free in between (``narrated_topics``): a few milliseconds of Python each.
READ_BATCH = 2000

# ----------------------------------------------------------------------------------- taking part


async def participant(session: AsyncSession, *, person_id: int) -> IntroParticipant | None:
    return await session.get(IntroParticipant, person_id)


async def join(session: AsyncSession, *, person: Person, now: datetime) -> bool:
    """Take part; ``False`` when already in.

    One ``INSERT … ON CONFLICT DO NOTHING``: a double click reaching two replicas makes two
    joins at once, and the second waits for the first and then finds it already in.
    """
    assert person.id is not None
    added = await session.exec(
        conflict_insert(session, IntroParticipant)
        .values(person_id=person.id, tenant_id=person.tenant_id, joined_at=now)
        .on_conflict_do_nothing()
        .returning(col(IntroParticipant.person_id))
    )
    return added.first() is not None


async def leave(session: AsyncSession, *, person_id: int) -> bool:
    """Stop taking part; the pace they chose (a skip, ``every``) and the questions kept for
    their introductions go with it."""
    row = await session.get(IntroParticipant, person_id)
    if row is None:
        return False
    await session.delete(row)
    await forget_every(session, person_id=person_id)
    await forget_asked(session, person_id=person_id)
    return True


async def forget_asked(session: AsyncSession, *, person_id: int) -> None:
    """Delete the who-knows questions kept for someone's introductions: they are remembered
    only while the person takes part (``intros leave``, ``/narrate leave``). An index probe
    (``ix_intro_asked_topic_person``)."""
    await session.exec(delete(IntroAskedTopic).where(col(IntroAskedTopic.person_id) == person_id))


async def forget_asked_before(session: AsyncSession, *, tenant_id: int, before: datetime) -> None:
    """Delete the tenant's questions asked before ``before``: older than any week reads
    (``asked_topics``' ``since``), so kept for nothing. A range of
    ``ix_intro_asked_topic_tenant_at``, run with each week's round."""
    await session.exec(
        delete(IntroAskedTopic).where(
            col(IntroAskedTopic.tenant_id) == tenant_id, col(IntroAskedTopic.asked_at) < before
        )
    )


# How often someone wants to be introduced at most, in weeks (2 or 4; weekly is no row): a
# tenant setting per person, ``intros.every.<person id>``, so the choice needs no column. It is
# theirs like the participant row: ``leave`` and forget-me delete it, the export shows it.
EVERY_KEY = "intros.every."


def every_key(person_id: int) -> str:
    return f"{EVERY_KEY}{person_id}"


async def every_weeks(session: AsyncSession, *, tenant_id: int) -> dict[int, int]:
    """Each person of the tenant who chose to be introduced less often than weekly: weeks."""
    rows = await session.exec(
        select(TenantSetting.key, TenantSetting.value).where(
            TenantSetting.tenant_id == tenant_id,
            col(TenantSetting.key).startswith(EVERY_KEY, autoescape=True),
        )
    )
    found: dict[int, int] = {}
    for key, value in rows:
        person, weeks = key.removeprefix(EVERY_KEY), value
        if person.isdigit() and weeks.isdigit() and int(weeks) > 1:
            found[int(person)] = int(weeks)
    return found


async def forget_every(session: AsyncSession, *, person_id: int) -> None:
    await session.exec(delete(TenantSetting).where(col(TenantSetting.key) == every_key(person_id)))


async def last_introduced(
    session: AsyncSession, *, person_ids: Sequence[int], since: datetime
) -> dict[int, list[str]]:
    """The weeks (``2026-W48``) of the rounds since ``since`` that introduced each person, by
    an introduction that went out (``delivered_at``) and reached them: one refused rests
    nobody, and one whose group DM never reached someone (``unreached_at``) doesn't rest them."""
    if not person_ids:
        return {}
    rows = await session.exec(
        select(IntroMember.person_id, IntroRound.week)
        .join(Introduction, col(Introduction.id) == col(IntroMember.introduction_id))
        .join(IntroRound, col(IntroRound.id) == col(Introduction.round_id))
        .where(
            col(IntroMember.person_id).in_(list(person_ids)),
            Introduction.created_at >= since,
            col(Introduction.delivered_at).is_not(None),
            col(IntroMember.unreached_at).is_(None),
        )
    )
    weeks: dict[int, list[str]] = defaultdict(list)
    for person_id, week in rows:
        weeks[person_id].append(week)
    return dict(weeks)


async def round_weeks(session: AsyncSession, *, tenant_id: int, since: datetime) -> list[str]:
    """The weeks of the tenant's rounds claimed since ``since``."""
    rows = await session.exec(
        select(IntroRound.week).where(
            IntroRound.tenant_id == tenant_id, IntroRound.created_at >= since
        )
    )
    return list(rows.all())


async def weeks_of_rounds(session: AsyncSession, *, round_ids: Iterable[int]) -> dict[int, str]:
    """Each round's week (``2026-W48``), by its id."""
    wanted = sorted(set(round_ids))
    if not wanted:
        return {}
    rows = await session.exec(
        select(IntroRound.id, IntroRound.week).where(col(IntroRound.id).in_(wanted))
    )
    return {round_id: week for round_id, week in rows if round_id is not None}


async def post_statuses(
    session: AsyncSession, *, tenant_id: int, slots: Sequence[str]
) -> list[tuple[str, str]]:
    """(slot, status) of each post the tenant's introductions jobs queued for ``slots``
    (``YYYY-MM-DD``, local to the schedule): whether a round's introductions reached anyone.
    A round worked out outside the scheduler queued none."""
    if not slots:
        return []
    rows = await session.exec(
        select(ScheduleSend.slot, ScheduleSend.status).where(
            # By the intros schedules' own rows (uq_schedule_send_slot_part), never by
            # walking every send the tenant made (schedule_send is never pruned).
            col(ScheduleSend.schedule_id).in_(
                select(Schedule.id).where(Schedule.tenant_id == tenant_id, Schedule.kind == INTROS)
            ),
            col(ScheduleSend.slot).in_(list(slots)),
            col(ScheduleSend.part).startswith("post-", autoescape=True),
        )
    )
    return [(slot, status) for slot, status in rows]


async def delivered_weeks(
    session: AsyncSession, *, tenant_id: int, weeks: Iterable[str]
) -> set[str]:
    """The weeks, of ``weeks``, whose round has an introduction that went out to someone
    (``delivered_at``: a post of it sent, or part of a group DM, ``mark_delivered``), however its
    sends ended since."""
    wanted = sorted(set(weeks))
    if not wanted:
        return set()
    rows = await session.exec(
        select(IntroRound.week)
        .where(
            IntroRound.tenant_id == tenant_id,
            col(IntroRound.week).in_(wanted),
            exists().where(
                col(Introduction.round_id) == col(IntroRound.id),
                col(Introduction.tenant_id) == tenant_id,
                col(Introduction.delivered_at).is_not(None),
            ),
        )
        .distinct()
    )
    return set(rows.all())


async def set_never_pair(
    session: AsyncSession, *, person: Person, other_user_id: str, never: bool, now: datetime
) -> bool:
    """Add or remove one private never-pair wish; ``False`` when nothing changed."""
    existing = (
        await session.exec(
            select(IntroNeverPair).where(
                IntroNeverPair.person_id == person.id,
                IntroNeverPair.other_user_id == other_user_id,
            )
        )
    ).first()
    if never and existing is None:
        assert person.id is not None
        session.add(
            IntroNeverPair(
                tenant_id=person.tenant_id,
                person_id=person.id,
                other_user_id=other_user_id,
                created_at=now,
            )
        )
        return True
    if not never and existing is not None:
        await session.delete(existing)
        return True
    return False


async def never_pair_list(session: AsyncSession, *, person_id: int) -> list[str]:
    rows = await session.exec(
        select(IntroNeverPair.other_user_id)
        .where(IntroNeverPair.person_id == person_id)
        .order_by(col(IntroNeverPair.created_at))
    )
    return list(rows.all())


async def keeps_asked_topics(session: AsyncSession, *, person: Person) -> bool:
    """Whether ``record_asked_topics`` keeps what this person asks (a read, nothing written)."""
    assert person.id is not None
    if person.consent != "joined" or person.departed_at is not None:
        return False
    return await session.get(IntroParticipant, person.id) is not None


async def record_asked_topics(
    session: AsyncSession, *, person: Person, topics: Sequence[str], now: datetime
) -> None:
    """Remember a who-knows question's topics, only for someone who takes part in narrate-bot
    and joined introductions: after ``/narrate leave`` nothing they ask is kept for them."""
    if not topics or not await keeps_asked_topics(session, person=person):
        return
    assert person.id is not None
    for topic in dict.fromkeys(topics):
        session.add(
            IntroAskedTopic(
                tenant_id=person.tenant_id, person_id=person.id, topic=topic[:64], asked_at=now
            )
        )


# --------------------------------------------------------------------------------- the week


async def available_people(session: AsyncSession, *, tenant_id: int, now: datetime) -> list[Person]:
    """Joined introductions and narrate-bot, not paused, not skipping, narrated at least once,
    and a member the last time we saw them: a guest (or someone from another organisation) would
    be shown what members narrated in channels they can't open."""
    # Per person, through the person's own narration index: an ``IN (SELECT person_id …)``
    # over the tenant scanned every narration (1.7 s at 300,000, in the weekly job's lock).
    narrated = exists().where(col(Narration.person_id) == col(Person.id))
    rows = await session.exec(
        select(Person)
        .join(IntroParticipant, col(IntroParticipant.person_id) == col(Person.id))
        .where(
            Person.tenant_id == tenant_id,
            suggestable(now),
            col(Person.guest).is_(False),
            or_(
                col(IntroParticipant.skip_until).is_(None), col(IntroParticipant.skip_until) <= now
            ),
            narrated,
        )
        .order_by(col(Person.id))
    )
    return list(rows.all())


class TopicRow(NamedTuple):
    """A topic someone narrated, where it may be read, and how often. A named tuple, made in a
    third of a frozen dataclass's time: the weekly job makes 70,000 at 2,000 people, on the
    event loop."""

    person_id: int
    topic: str
    scope: int | None  # None: anyone in the tenant may read it; else the private channel's pk
    narrations: int = 1  # how many of theirs in the window name it there


async def narrated_topics(
    session: AsyncSession,
    *,
    person_ids: Sequence[int],
    since: datetime,
    before: datetime,
) -> list[TopicRow]:
    """Each topic narrated in the window, once per person and place it may be read.

    The rules of ``repositories.visible_to``: the whole workspace may read a narration shared
    with it, or one that inherits a public channel's readers; a private channel's members read
    what inherits that channel's readers. A DM has none, and an "only me" narration is a private
    log wherever it was written: neither ever counts.

    Grouped in the query: a row per narration was 1.7 million rows for 8,000 people, built
    one by one on the event loop (the weekly job's longest stall, 6 s). The count says which
    topics someone narrates most, what an introduction tells the other person about them.
    """
    if not person_ids:
        return []
    public = or_(col(Narration.audience) == "tenant", col(Channel.kind) == "public")
    # Grouped by the place it may be read, not by channel: a topic narrated in 20 public
    # channels is one row, not 20 (195,000 rows for 2,000 people were 71,000). The CASE is
    # written with literals so that it reads the same in SELECT and GROUP BY: with bound
    # values PostgreSQL saw two different expressions there and refused the query.
    anyone = or_(
        col(Narration.audience) == literal_column("'tenant'"),
        col(Channel.kind) == literal_column("'public'"),
    )
    scope = case((anyone, None), else_=col(Channel.id))
    result = await session.stream(
        select(col(Narration.person_id), col(NarrationTopic.topic), scope, func.count())
        .join(NarrationTopic, col(NarrationTopic.narration_id) == col(Narration.id))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            col(Narration.person_id).in_(person_ids),
            col(Narration.audience).in_(("channel", "tenant")),
            or_(public, col(Channel.kind) == "private"),
            col(Narration.created_at) >= since,
            col(Narration.created_at) <= before,
            taken_as_written(),  # "caveat" only as a hashtag
        )
        .group_by(col(Narration.person_id), col(NarrationTopic.topic), scope)
    )
    # A topic stored before its word was known to say how the work stands ("blocked",
    # "issue") is no reason to introduce anyone, and one folded as "passe" from "passes" is
    # "pass": ``shown_topic`` at read time. Read and folded a batch at a time, the bot's other
    # work running in between: all at once held the event loop for 0.3 s at 2,000 people.
    counts: dict[tuple[int, str, int | None], int] = defaultdict(int)
    async for batch in result.partitions(READ_BATCH):
        for person_id, topic, where, count in batch:
            if (shown := shown_topic(topic)) is not None:
                counts[(person_id, shown, where)] += int(count)
    found: list[TopicRow] = []
    for key, count in counts.items():
        found.append(TopicRow(*key, count))
        if len(found) % READ_BATCH == 0:
            await asyncio.sleep(0)  # made a batch at a time too: 70,000 at once took tens of ms
    return found


async def narration_fingerprints(
    session: AsyncSession, *, tenant_id: int, since: datetime, before: datetime
) -> dict[int, tuple[int, float, str, int]]:
    """Per person, a fingerprint of their narrations in the window: how many, the sum of their
    ids, the latest edit and how many are shared with the workspace. Equal fingerprints at two
    moments mean nothing was deleted, added, edited or (un)shared in between, without reading
    a single topic: how the weekly job learns whose topics changed while it paired people."""
    connection = await session.connection()
    rows = await connection.execute(
        sa_select(
            col(Narration.person_id),
            func.count(),
            func.sum(col(Narration.id)),
            func.max(col(Narration.edited_at)),
            func.sum(case((col(Narration.audience) == "tenant", 1), else_=0)),
        )
        .where(
            col(Narration.tenant_id) == tenant_id,
            col(Narration.created_at) >= since,
            col(Narration.created_at) <= before,
        )
        .group_by(col(Narration.person_id))
    )
    return {
        person_id: (int(count), float(ids or 0), str(edited), int(shared or 0))
        for person_id, count, ids, edited, shared in rows
    }


async def channel_kinds(session: AsyncSession, *, tenant_id: int) -> dict[int, str]:
    """Each of the tenant's channels' kind: a channel turned private (or public) changes who
    may read every topic narrated there."""
    rows = await session.exec(
        select(col(Channel.id), col(Channel.kind)).where(col(Channel.tenant_id) == tenant_id)
    )
    return {int(pk): str(kind) for pk, kind in rows if pk is not None}


async def private_readers(
    session: AsyncSession, *, tenant_id: int, user_ids: Iterable[str]
) -> dict[str, set[int]]:
    wanted = list(set(user_ids))
    result: dict[str, set[int]] = defaultdict(set)
    if not wanted:
        return result
    rows = await session.exec(
        select(ChannelMember.user_id, Channel.id)
        .join(Channel, col(Channel.id) == col(ChannelMember.channel_pk))
        .where(
            Channel.tenant_id == tenant_id,
            Channel.kind == "private",
            col(ChannelMember.user_id).in_(wanted),
        )
    )
    for user_id, channel_pk in rows:
        assert channel_pk is not None
        result[user_id].add(channel_pk)
    return result


async def asked_topics(
    session: AsyncSession, *, person_ids: Sequence[int], since: datetime
) -> dict[int, set[str]]:
    result: dict[int, set[str]] = defaultdict(set)
    if person_ids:
        rows = await session.exec(
            select(IntroAskedTopic.person_id, IntroAskedTopic.topic).where(
                col(IntroAskedTopic.person_id).in_(person_ids), IntroAskedTopic.asked_at >= since
            )
        )
        for person_id, topic in rows:
            # "who knows about the build issue" asked about build; stored before its word
            # was known to be no topic, or folded as "passe" from "passes": as shown. A
            # question is free text: "caveat" or "thinking" is never its topic.
            if (shown := shown_topic(topic)) is not None and is_topic_in_text(shown):
                result[person_id].add(shown)
    return result


async def never_pairs(
    session: AsyncSession, *, person_ids: Sequence[int], everywhere: bool = False
) -> dict[int, set[str]]:
    """Each person's never-pair wishes: the user ids they asked never to be introduced to.

    ``everywhere`` adds the wishes the same user id made in the other tenants of the platform
    (Discord, where one user id is one person in every server); never for Slack, whose user ids
    only mean one person within a workspace."""
    result: dict[int, set[str]] = defaultdict(set)
    if not person_ids:
        return result
    rows = await session.exec(
        select(IntroNeverPair.person_id, IntroNeverPair.other_user_id).where(
            col(IntroNeverPair.person_id).in_(person_ids)
        )
    )
    for person_id, other in rows:
        result[person_id].add(other)
    if not everywhere:
        return result
    here = (
        await session.exec(
            select(Person.id, Person.user_id, Tenant.platform)
            .join(Tenant, col(Tenant.id) == col(Person.tenant_id))
            .where(col(Person.id).in_(person_ids))
        )
    ).all()
    ids_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, user_id, platform in here:
        assert pk is not None
        ids_of[(platform, user_id)].append(pk)
    for platform in {platform for _, _, platform in here}:
        wanted = [user_id for p, user_id in ids_of if p == platform]
        elsewhere = await session.exec(
            select(Person.user_id, IntroNeverPair.other_user_id)
            .join(IntroNeverPair, col(IntroNeverPair.person_id) == col(Person.id))
            .join(Tenant, col(Tenant.id) == col(Person.tenant_id))
            .where(Tenant.platform == platform, col(Person.user_id).in_(wanted))
        )
        for user_id, other in elsewhere:
            for pk in ids_of[(platform, user_id)]:
                result[pk].add(other)
    return result


async def disliked_topics(
    session: AsyncSession, *, person_ids: Sequence[int]
) -> dict[int, set[str]]:
    """Topics cited by introductions each person found not useful."""
    result: dict[int, set[str]] = defaultdict(set)
    if person_ids:
        rows = await session.exec(
            select(IntroFeedback.person_id, Introduction.topics)
            .join(Introduction, col(Introduction.id) == col(IntroFeedback.introduction_id))
            .where(
                col(IntroFeedback.person_id).in_(person_ids), IntroFeedback.outcome == NOT_USEFUL
            )
        )
        for person_id, topics in rows:
            result[person_id].update(t for t in topics.split(",") if t)
    return result


async def latest_rounds(
    session: AsyncSession, *, tenant_id: int, rounds: int, before_week: str = ""
) -> dict[int, str]:
    """The week of each of the tenant's latest ``rounds`` rounds before the round of
    ``before_week`` (all of them without it), by round id."""
    latest = select(IntroRound.id, IntroRound.week).where(IntroRound.tenant_id == tenant_id)
    if before_week:
        latest = latest.where(col(IntroRound.week) < before_week)
    latest = latest.order_by(col(IntroRound.week).desc()).limit(max(rounds, 0))
    return {round_id: week for round_id, week in await session.exec(latest) if round_id}


async def past_groups(
    session: AsyncSession, *, tenant_id: int
) -> list[list[tuple[int, str | None]]]:
    """Each of the tenant's past introductions' (person id, team then), oldest first (the
    no-repeat window reads ``recent_groups``)."""
    statement = (
        select(IntroMember.introduction_id, IntroMember.person_id, IntroMember.team)
        .join(Introduction, col(Introduction.id) == col(IntroMember.introduction_id))
        .where(Introduction.tenant_id == tenant_id)
        .order_by(col(IntroMember.introduction_id))
    )
    groups: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for introduction_id, person_id, team in await session.exec(statement):
        groups[introduction_id].append((person_id, team))
    return list(groups.values())


class RecentGroup(NamedTuple):
    """An introduction of the no-repeat window: its round's week, its (person id, team then),
    and the channels it was posted in (none: by group DM only, which its members alone read)."""

    week: str
    group: list[tuple[int, str | None]]
    posted_in: frozenset[str]


async def recent_groups(
    session: AsyncSession, *, tenant_id: int, rounds: int, before_week: str
) -> list[RecentGroup]:
    """Each introduction that went out (``delivered_at``) in the tenant's latest ``rounds``
    rounds before the round of ``before_week``, oldest first."""
    latest = await latest_rounds(
        session, tenant_id=tenant_id, rounds=rounds, before_week=before_week
    )
    rows = await session.exec(
        select(
            IntroMember.introduction_id,
            Introduction.round_id,
            IntroMember.person_id,
            IntroMember.team,
        )
        .join(Introduction, col(Introduction.id) == col(IntroMember.introduction_id))
        .where(
            Introduction.tenant_id == tenant_id,
            col(Introduction.round_id).in_(list(latest)),
            col(Introduction.delivered_at).is_not(None),
        )
        .order_by(col(IntroMember.introduction_id))
    )
    groups: dict[int, tuple[str, list[tuple[int, str | None]]]] = {}
    for introduction_id, round_id, person_id, team in rows:
        groups.setdefault(introduction_id, (latest[round_id], []))[1].append((person_id, team))
    posts = await session.exec(
        select(IntroPost.introduction_id, IntroPost.channel_id)
        .join(Introduction, col(Introduction.id) == col(IntroPost.introduction_id))
        .where(
            Introduction.tenant_id == tenant_id,
            col(Introduction.round_id).in_(list(latest)),
            col(Introduction.delivered_at).is_not(None),
        )
    )
    posted: dict[int, set[str]] = defaultdict(set)
    for introduction_id, channel_id in posts:
        posted[introduction_id].add(channel_id)
    return [
        RecentGroup(week, group, frozenset(posted.get(introduction_id, ())))
        for introduction_id, (week, group) in groups.items()
    ]


async def unclaimed_tenant(
    session: AsyncSession, *, platform: str, external_id: str, week: str
) -> int | None:
    """The tenant's id if it exists and nobody has claimed its round of ``week`` yet: whether
    working out that week's introductions ahead of claiming it can be worth it."""
    tenant_id = (
        await session.exec(
            select(Tenant.id).where(Tenant.platform == platform, Tenant.external_id == external_id)
        )
    ).first()
    if tenant_id is None:
        return None
    claimed = (
        await session.exec(
            select(IntroRound.id).where(IntroRound.tenant_id == tenant_id, IntroRound.week == week)
        )
    ).first()
    return None if claimed is not None else tenant_id


async def claim_week(
    session: AsyncSession, *, tenant_id: int, week: str, now: datetime
) -> int | None:
    """The round's id if this call claimed the week, ``None`` if another already had."""
    existing = (
        await session.exec(
            select(IntroRound).where(IntroRound.tenant_id == tenant_id, IntroRound.week == week)
        )
    ).first()
    if existing is not None:
        return None
    round_ = IntroRound(tenant_id=tenant_id, week=week, created_at=now)
    try:
        async with session.begin_nested():
            session.add(round_)
            await session.flush()
    except IntegrityError:
        return None
    return round_.id


@dataclass(frozen=True)
class NewIntroduction:
    """One introduction of a round, before it has a number."""

    members: Sequence[tuple[int, str | None]]  # (person id, team then)
    topics: Sequence[str]
    answers_question: bool = False


async def add_introductions(
    session: AsyncSession,
    *,
    tenant_id: int,
    round_id: int,
    introductions: Sequence[NewIntroduction],
    now: datetime,
    delivered_at: datetime | None = None,
) -> list[int]:
    """Store a round's introductions under the tenant's next numbers, in order; returns them.
    ``delivered_at`` only where the caller delivers them itself: the scheduler's are marked
    as each one's first post goes out (``mark_delivered``).

    Two statements for the whole round instead of a flush per introduction: 4,000 introductions
    one by one took 22 s of the weekly job's write transaction, every command waiting behind it
    on SQLite. Numbers race as in ``numbering`` (only when two weeks' runs overlap): the whole
    batch is tried again in a fresh savepoint with the numbers read afresh.
    """
    if not introductions:
        return []
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with session.begin_nested():
                last = (
                    await session.exec(
                        select(func.max(Introduction.number)).where(
                            Introduction.tenant_id == tenant_id
                        )
                    )
                ).one() or 0
                numbers = [last + 1 + i for i in range(len(introductions))]
                rows = [
                    {
                        "tenant_id": tenant_id,
                        "number": number,
                        "round_id": round_id,
                        "created_at": now,
                        "topics": ",".join(new.topics)[:400],
                        "answers_question": new.answers_question,
                        "followed_up_at": None,
                        "delivered_at": delivered_at,
                    }
                    for number, new in zip(numbers, introductions, strict=True)
                ]
                connection = await session.connection()
                ids = (
                    await connection.execute(
                        insert(Introduction).returning(
                            col(Introduction.id), sort_by_parameter_order=True
                        ),
                        rows,
                    )
                ).scalars()
                members = [
                    {"introduction_id": introduction_id, "person_id": person_id, "team": team}
                    for introduction_id, new in zip(ids, introductions, strict=True)
                    for person_id, team in new.members
                ]
                if members:  # executemany with no rows is deprecated
                    await connection.execute(insert(IntroMember), members)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
        else:
            return numbers
    raise AssertionError("unreachable")


async def mark_delivered(
    session: AsyncSession, *, tenant_id: int, number: int, now: datetime
) -> None:
    """Introduction ``number`` of the tenant went out (a post of it was sent): kept once, at its
    first post."""
    await session.exec(
        update(Introduction)
        .where(
            col(Introduction.tenant_id) == tenant_id,
            col(Introduction.number) == number,
            col(Introduction.delivered_at).is_(None),
        )
        .values(delivered_at=now)
    )


def _introduction_numbered(tenant_id: int, number: int) -> ScalarSelect[int | None]:
    return (
        select(Introduction.id)
        .where(col(Introduction.tenant_id) == tenant_id, col(Introduction.number) == number)
        .scalar_subquery()
    )


def _members_named(tenant_id: int, number: int, user_ids: Sequence[str]) -> ColumnElement[bool]:
    """The ``intro_member`` rows of introduction ``number`` of the tenant for ``user_ids``."""
    return and_(
        col(IntroMember.introduction_id) == _introduction_numbered(tenant_id, number),
        col(IntroMember.person_id).in_(
            select(Person.id).where(
                Person.tenant_id == tenant_id, col(Person.user_id).in_(list(user_ids))
            )
        ),
    )


async def mark_unreached(
    session: AsyncSession, *, tenant_id: int, number: int, user_ids: Sequence[str], now: datetime
) -> None:
    """Introduction ``number``'s group DM didn't reach ``user_ids``: nothing could (DMs closed,
    no channel took the pointer), or their DMs failed while others' went out (for now: a later
    send to them that goes out clears it, ``mark_reached``). They weren't introduced. Not where
    it was posted in the introductions channel too (``intro_post``): that named them to
    everyone, them included. Kept also while it went out to nobody yet: follow-ups and pace
    count delivered introductions only, and whoever it reaches later is cleared."""
    if not user_ids:
        return
    introduction = _introduction_numbered(tenant_id, number)
    await session.exec(
        update(IntroMember)
        .where(
            _members_named(tenant_id, number, user_ids),
            col(IntroMember.unreached_at).is_(None),
            ~select(IntroPost.id).where(IntroPost.introduction_id == introduction).exists(),
        )
        .values(unreached_at=now)
    )


async def mark_reached(
    session: AsyncSession, *, tenant_id: int, number: int, user_ids: Sequence[str]
) -> None:
    """Introduction ``number``'s group DM reached ``user_ids`` after all (a retry of the rest of
    a partly sent one went out): no longer marked never reached."""
    if not user_ids:
        return
    await session.exec(
        update(IntroMember)
        .where(
            _members_named(tenant_id, number, user_ids),
            col(IntroMember.unreached_at).is_not(None),
        )
        .values(unreached_at=None)
    )


async def unreached(
    session: AsyncSession, *, introduction_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """(introduction id, person id) of whom those introductions never reached
    (``mark_unreached``), in one query."""
    if not introduction_ids:
        return set()
    rows = await session.exec(
        select(IntroMember.introduction_id, IntroMember.person_id).where(
            col(IntroMember.introduction_id).in_(list(introduction_ids)),
            col(IntroMember.unreached_at).is_not(None),
        )
    )
    return set(rows.all())


async def introduction_of(
    session: AsyncSession, *, person: Person, number: int
) -> Introduction | None:
    """Introduction ``number`` of the person's own tenant, if it introduced them (whether it
    went out, ``delivered_at``, is the caller's to judge).

    Numbers count within a tenant, so they are only ever looked up there: the same number in
    another workspace, or someone else's introduction, is "not yours" alike.
    """
    return (
        await session.exec(
            select(Introduction)
            .join(IntroMember, col(IntroMember.introduction_id) == col(Introduction.id))
            .where(
                Introduction.tenant_id == person.tenant_id,
                Introduction.number == number,
                IntroMember.person_id == person.id,
            )
        )
    ).first()


async def members(session: AsyncSession, *, introduction_id: int) -> list[Person]:
    rows = await session.exec(
        select(Person)
        .join(IntroMember, col(IntroMember.person_id) == col(Person.id))
        .where(IntroMember.introduction_id == introduction_id)
        .order_by(col(Person.id))
    )
    return list(rows.all())


async def taking_part(session: AsyncSession, *, person_ids: Sequence[int]) -> set[int]:
    """Which of these people are in the weekly introductions now (not left since)."""
    if not person_ids:
        return set()
    rows = await session.exec(
        select(IntroParticipant.person_id).where(col(IntroParticipant.person_id).in_(person_ids))
    )
    return set(rows.all())


async def claim_follow_ups(
    session: AsyncSession, *, tenant_id: int, since: datetime, now: datetime
) -> list[Introduction]:
    """Introductions made since ``since`` that went out, that nobody has answered about yet and
    that haven't been followed up; each is marked so a second call (or a concurrent one) never
    asks again. One whose posts were all refused is never asked about: nobody received it."""
    answered = select(IntroFeedback.introduction_id)
    due = (
        await session.exec(
            select(Introduction)
            .where(
                Introduction.tenant_id == tenant_id,
                col(Introduction.created_at) >= since,
                col(Introduction.created_at) < now,
                col(Introduction.followed_up_at).is_(None),
                col(Introduction.delivered_at).is_not(None),
                col(Introduction.id).not_in(answered),
            )
            .order_by(col(Introduction.number))
        )
    ).all()
    claimed = []
    for introduction in due:
        result = await session.exec(
            update(Introduction)
            .where(
                col(Introduction.id) == introduction.id, col(Introduction.followed_up_at).is_(None)
            )
            .values(followed_up_at=now)
        )
        if result.rowcount == 1:
            claimed.append(introduction)
    return claimed


async def set_feedback(
    session: AsyncSession, *, introduction_id: int, person_id: int, outcome: str, now: datetime
) -> None:
    row = await session.get(IntroFeedback, (introduction_id, person_id))
    if row is None:
        row = IntroFeedback(
            introduction_id=introduction_id, person_id=person_id, outcome=outcome, at=now
        )
    else:
        row.outcome, row.at = outcome, now
    session.add(row)


async def being_sent(
    session: AsyncSession, *, tenant_id: int, text_starts: Mapping[int, str]
) -> set[int]:
    """Which of these introductions (number: how its post's text begins) a send of the tenant's
    introductions job still names, pending: queued, or being tried (a group DM goes to its
    members one by one, and ``delivered_at`` is written only with the send's outcome, so a
    member who has it may answer before it is set). Only pending rows are read (their payload
    is cleared once the send is final), by ``ix_schedule_send_pending``."""
    found: set[int] = set()
    for number, start in text_starts.items():
        # The payload is the post as JSON: its text, as it begins, as JSON writes it.
        needle = '"text":' + json.dumps(start)[:-1]
        row = (
            await session.exec(
                select(ScheduleSend.id)
                .where(
                    ScheduleSend.status == PENDING,
                    col(ScheduleSend.schedule_id).in_(
                        select(Schedule.id).where(
                            Schedule.tenant_id == tenant_id, Schedule.kind == INTROS
                        )
                    ),
                    col(ScheduleSend.part).startswith("post-", autoescape=True),
                    col(ScheduleSend.payload).contains(needle, autoescape=True),
                )
                .limit(1)
            )
        ).first()
        if row is not None:
            found.add(number)
    return found


@dataclass(frozen=True)
class MyIntroduction:
    """One of a person's introductions as they may see it again: who, what its reason cited,
    and their own answer (``None`` until they give one)."""

    number: int
    created_at: datetime
    others: list[Person]
    topics: list[str]
    outcome: str | None
    # Whether it went out to anyone (``delivered_at``): one every post of failed or was refused
    # reached nobody, and has no "how did it go?" to answer (``/narrate stats`` agrees).
    went_out: bool = True


async def my_introductions(
    session: AsyncSession, *, person: Person, limit: int
) -> list[MyIntroduction]:
    """The person's latest introductions, newest first. The topics are the ones its members were
    sent, so showing them again tells nobody more than they were told."""
    rows = (
        await session.exec(
            select(Introduction)
            .join(IntroMember, col(IntroMember.introduction_id) == col(Introduction.id))
            .where(Introduction.tenant_id == person.tenant_id, IntroMember.person_id == person.id)
            .order_by(col(Introduction.created_at).desc(), col(Introduction.id).desc())
            .limit(limit)
        )
    ).all()
    found: list[MyIntroduction] = []
    for introduction in rows:
        assert introduction.id is not None
        group = await members(session, introduction_id=introduction.id)
        answer = await session.get(IntroFeedback, (introduction.id, person.id))
        found.append(
            MyIntroduction(
                number=introduction.number,
                created_at=introduction.created_at,
                others=[p for p in group if p.id != person.id],
                topics=[t for t in introduction.topics.split(",") if t],
                outcome=answer.outcome if answer else None,
                went_out=introduction.delivered_at is not None,
            )
        )
    return found
