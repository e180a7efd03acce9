"""Data access for followed topics' weekly digests (``features.follow_digest``): whose digest is
due (``follow_schedule``), each week's claim, and the week's narrations a follower may read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .follow_tables import PENDING, RETRY, FollowDigest, FollowSchedule
from .preference_tables import FOLLOW, TopicPreference
from .repositories import suggestable, visible_to
from .tables import Channel, Narration, Person, Tenant, TenantSetting

# A week's narrations read for one follower at a time (``week_narrations`` pages through the
# rest): a busy workspace's week may hold many more, and a followed topic's early-week
# narrations must not be left out because others came after them.
WEEK_LIMIT = 1000


async def followers(
    session: AsyncSession, *, platforms: Sequence[str]
) -> list[tuple[Person, Tenant, datetime]]:
    """Everyone following a topic on these platforms, with when they first followed one."""
    first = func.min(col(TopicPreference.created_at))
    rows = (
        await session.exec(
            select(col(TopicPreference.person_id), first)
            .join(Tenant, col(Tenant.id) == col(TopicPreference.tenant_id))
            .where(TopicPreference.kind == FOLLOW, col(Tenant.platform).in_(list(platforms)))
            .group_by(col(TopicPreference.person_id))
            .order_by(col(TopicPreference.person_id))
        )
    ).all()
    since: dict[int, datetime] = {row[0]: row[1] for row in rows}
    if not since:
        return []
    found = (
        await session.exec(
            select(Person, Tenant)
            .join(Tenant, col(Tenant.id) == col(Person.tenant_id))
            .where(col(Person.id).in_(list(since)))
            .order_by(col(Person.id))
        )
    ).all()
    return [(p, t, since[p.id]) for p, t in found if p.id is not None]


@dataclass(frozen=True)
class DueRow:
    """A follower whose ``follow_schedule`` row is due, with what deciding their turn needs."""

    person: Person
    tenant: Tenant
    due_at: datetime
    workspace_zone: str | None


def _on(platforms: Sequence[str]) -> Any:
    """The schedule row's workspace is on one of these platforms (checked per row in
    ``due_at`` order, so only the rows a query returns are looked at)."""
    return exists().where(
        col(Tenant.id) == col(FollowSchedule.tenant_id), col(Tenant.platform).in_(list(platforms))
    )


async def due_followers(
    session: AsyncSession,
    *,
    platforms: Sequence[str],
    tenant_zone_key: str,
    now: datetime,
    limit: int,
) -> list[DueRow]:
    """Up to ``limit`` followers whose row is due at ``now``, the longest waiting first: an
    index range on ``due_at``, so a wake-up with nothing due reads no follower at all."""
    if not platforms:
        return []
    due = (
        select(col(FollowSchedule.person_id), col(FollowSchedule.due_at))
        .where(col(FollowSchedule.due_at) <= now, _on(platforms))
        .order_by(col(FollowSchedule.due_at), col(FollowSchedule.person_id))
        .limit(limit)
    )
    found: dict[int, datetime] = dict((await session.exec(due)).all())
    if not found:
        return []
    rows = await session.exec(
        select(Person, Tenant, TenantSetting.value)
        .join(Tenant, col(Tenant.id) == col(Person.tenant_id))
        .outerjoin(
            TenantSetting,
            and_(
                col(TenantSetting.tenant_id) == col(Person.tenant_id),
                col(TenantSetting.key) == tenant_zone_key,
            ),
        )
        .where(col(Person.id).in_(list(found)))
    )
    out = [
        DueRow(person=p, tenant=t, due_at=found[p.id or 0], workspace_zone=zone)
        for p, t, zone in rows.all()
    ]
    out.sort(key=lambda row: (row.due_at, row.person.id or 0))
    return out


async def next_due_at(
    session: AsyncSession,
    *,
    platforms: Sequence[str],
    after: datetime | None,
    until: datetime,
) -> datetime | None:
    """The earliest ``due_at`` in ``(after, until]`` (any at or before ``until`` when ``after``
    is ``None``: one overdue while the bot was down counts too). One index look-up."""
    if not platforms:
        return None
    conditions = [col(FollowSchedule.due_at) <= until, _on(platforms)]
    if after is not None:
        conditions.append(col(FollowSchedule.due_at) > after)
    rows = await session.exec(
        select(col(FollowSchedule.due_at))
        .where(*conditions)
        .order_by(col(FollowSchedule.due_at))
        .limit(1)
    )
    return rows.first()


async def ensure_scheduled(
    session: AsyncSession, *, person_id: int, tenant_id: int, due_at: datetime, dialect: str
) -> None:
    """A follower's row, due at ``due_at``, unless they have one (following one more topic
    keeps the due time they had)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    connection = await session.connection()
    await connection.execute(
        insert(FollowSchedule.__table__)  # type: ignore[attr-defined]
        .values(person_id=person_id, tenant_id=tenant_id, due_at=due_at)
        .on_conflict_do_nothing(index_elements=["person_id"])
    )


async def unschedule(session: AsyncSession, *, person_id: int) -> None:
    """No more digests: the person follows nothing."""
    await session.exec(delete(FollowSchedule).where(col(FollowSchedule.person_id) == person_id))


async def due_sooner(
    session: AsyncSession,
    *,
    due_at: datetime,
    person_id: int | None = None,
    tenant_id: int | None = None,
) -> None:
    """Bring a person's (or a whole workspace's followers') due time forward to ``due_at``
    where it was later: after a zone change. A row made early is moved on when looked at."""
    where = [col(FollowSchedule.due_at) > due_at]
    if person_id is not None:
        where.append(col(FollowSchedule.person_id) == person_id)
    if tenant_id is not None:
        where.append(col(FollowSchedule.tenant_id) == tenant_id)
    await session.exec(update(FollowSchedule).where(*where).values(due_at=due_at))


async def take_turn(
    session: AsyncSession, *, person_id: int, seen: datetime, until: datetime
) -> bool:
    """Move a due row found at ``seen`` to ``until``; ``False`` when it had moved already
    (another tick, process or replica took this turn). The compare makes the turn one
    process's: on PostgreSQL a second update waits for the first and then matches nothing."""
    statement = (
        update(FollowSchedule)
        .where(col(FollowSchedule.person_id) == person_id, col(FollowSchedule.due_at) == seen)
        .values(due_at=until)
        .returning(col(FollowSchedule.person_id))
    )
    connection = await session.connection()
    return (await connection.execute(statement)).first() is not None


async def set_due(session: AsyncSession, *, person_id: int, due_at: datetime) -> None:
    """The turn's outcome: the next Monday's time, or a retry's."""
    await session.exec(
        update(FollowSchedule)
        .where(col(FollowSchedule.person_id) == person_id)
        .values(due_at=due_at)
    )


async def first_followed(session: AsyncSession, *, person_id: int) -> datetime | None:
    """When the person began following what they follow now (``None``: nothing)."""
    rows = await session.exec(
        select(func.min(col(TopicPreference.created_at))).where(
            col(TopicPreference.person_id) == person_id, col(TopicPreference.kind) == FOLLOW
        )
    )
    return rows.first()


async def week_claim(session: AsyncSession, *, person_id: int, week: str) -> FollowDigest | None:
    rows = await session.exec(
        select(FollowDigest).where(
            col(FollowDigest.person_id) == person_id, col(FollowDigest.week) == week
        )
    )
    return rows.first()


async def reclaim(
    session: AsyncSession, *, person_id: int, week: str, attempts: int, now: datetime
) -> bool:
    """Take a week left to retry for one more attempt; ``False`` when someone else did."""
    statement = (
        update(FollowDigest)
        .where(
            col(FollowDigest.person_id) == person_id,
            col(FollowDigest.week) == week,
            col(FollowDigest.status) == RETRY,
            col(FollowDigest.attempts) == attempts,
        )
        .values(status=PENDING, attempts=attempts + 1, claimed_at=now)
        .returning(col(FollowDigest.id))
    )
    connection = await session.connection()
    return (await connection.execute(statement)).first() is not None


async def claim(
    session: AsyncSession, *, tenant_id: int, person_id: int, week: str, now: datetime, dialect: str
) -> bool:
    """Claim this person's digest of ``week``; ``False`` when it was already claimed (another
    tick, process or replica), and then nothing may be sent."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(FollowDigest.__table__)  # type: ignore[attr-defined]
        .values(tenant_id=tenant_id, person_id=person_id, week=week, status=PENDING, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["person_id", "week"])
        .returning(col(FollowDigest.id))
    )
    # RETURNING, not the row count: on PostgreSQL SQLAlchemy may report -1 for a skipped row.
    connection = await session.connection()
    result = await connection.execute(statement)
    return result.first() is not None


async def finish(
    session: AsyncSession, *, person_id: int, week: str, status: str, now: datetime | None
) -> None:
    await session.exec(
        update(FollowDigest)
        .where(col(FollowDigest.person_id) == person_id, col(FollowDigest.week) == week)
        .values(status=status, sent_at=now)
    )


async def digests_of(session: AsyncSession, *, person_id: int) -> list[FollowDigest]:
    rows = await session.exec(
        select(FollowDigest)
        .where(FollowDigest.person_id == person_id)
        .order_by(col(FollowDigest.week), col(FollowDigest.id))
    )
    return list(rows.all())


async def week_narrations(
    session: AsyncSession,
    *,
    tenant_id: int,
    viewer: Person,
    since: datetime,
    until: datetime,
    now: datetime,
    private: bool = True,
    before: tuple[datetime, int] | None = None,
) -> list[tuple[Narration, Channel, Person]]:
    """Others' narrations in ``[since, until)`` that ``viewer`` may read (``visible_to``: public
    channels, private ones they are in, what was shared with the workspace; never a DM, never
    another workspace), by people taking part, not paused and not gone; newest first.
    ``private=False`` leaves out what only a private channel's members may read (shared with
    the workspace still counts): for a follower whose memberships couldn't be re-checked.

    One page of at most ``WEEK_LIMIT``; ``before`` (the last row's ``created_at`` and id)
    reads the next, older one. A page shorter than ``WEEK_LIMIT`` is the last."""
    conditions = [
        visible_to(tenant_id=tenant_id, viewer_user_id=viewer.user_id, answer_channel_pk=None),
        col(Narration.person_id) != viewer.id,
        col(Narration.created_at) >= since,
        col(Narration.created_at) < until,
        suggestable(now),
    ]
    if not private:
        conditions.append(or_(col(Narration.audience) == "tenant", col(Channel.kind) != "private"))
    if before is not None:
        at, narration_id = before
        conditions.append(
            or_(
                col(Narration.created_at) < at,
                and_(col(Narration.created_at) == at, col(Narration.id) < narration_id),
            )
        )
    rows = await session.exec(
        select(Narration, Channel, Person)
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(col(Narration.created_at).desc(), col(Narration.id).desc())
        .limit(WEEK_LIMIT)
    )
    return list(rows.all())
