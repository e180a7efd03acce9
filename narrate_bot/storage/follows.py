"""Data access for followed topics' weekly digests (``features.follow_digest``): who follows
anything and in which zones, each week's claim, and the week's narrations a follower may read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .follow_tables import PENDING, FollowDigest
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


# A follower's zones as stored: their own and their workspace's ("" for none). Which zone that
# makes (``features.follow_digest._zone``) is decided once per distinct pair, not per follower.
ZonePair = tuple[str, str]


def _followers(platforms: Sequence[str], tenant_zone_key: str, *columns: Any) -> Any:
    """``columns`` of everyone following a topic on these platforms, one row each, from person
    joined with their workspace and its zone setting."""
    follows = exists().where(
        col(TopicPreference.person_id) == col(Person.id), col(TopicPreference.kind) == FOLLOW
    )
    return (
        select(*columns)
        .select_from(Person)
        .join(Tenant, col(Tenant.id) == col(Person.tenant_id))
        .outerjoin(
            TenantSetting,
            and_(
                col(TenantSetting.tenant_id) == col(Person.tenant_id),
                col(TenantSetting.key) == tenant_zone_key,
            ),
        )
        .where(col(Tenant.platform).in_(list(platforms)), follows)
    )


def _own() -> Any:
    return func.coalesce(col(Person.timezone), "")


def _workspace() -> Any:
    return func.coalesce(col(TenantSetting.value), "")


async def follower_zones(
    session: AsyncSession, *, platforms: Sequence[str], tenant_zone_key: str
) -> list[ZonePair]:
    """The distinct (own zone, workspace zone) pairs among followers: a few hundred rows at
    most whatever the number of followers, so a wake-up can tell which zones' Monday 09:00 has
    come without reading anyone."""
    if not platforms:
        return []
    query = _followers(platforms, tenant_zone_key, _own(), _workspace()).distinct()
    rows = await session.exec(query)
    return [(own, workspace) for own, workspace in rows.all()]


async def unclaimed_followers(
    session: AsyncSession,
    *,
    platforms: Sequence[str],
    tenant_zone_key: str,
    zones: Sequence[ZonePair],
    week: str,
) -> list[tuple[Person, Tenant, datetime, ZonePair]]:
    """Followers in these zone pairs whose digest of ``week`` nobody has claimed yet, with
    when they first followed a topic and their zone pair; by person id. Once a week is
    claimed for everyone this reads no one (the claim's unique index answers it)."""
    if not platforms or not zones:
        return []
    claimed = exists().where(
        col(FollowDigest.person_id) == col(Person.id), col(FollowDigest.week) == week
    )
    first = (
        select(func.min(col(TopicPreference.created_at)))
        .where(
            col(TopicPreference.person_id) == col(Person.id), col(TopicPreference.kind) == FOLLOW
        )
        .scalar_subquery()
    )
    workspace = _workspace()
    query = (
        _followers(platforms, tenant_zone_key, Person, Tenant, first, workspace)
        .where((_own() + "\n" + workspace).in_([f"{o}\n{w}" for o, w in zones]), ~claimed)
        .order_by(col(Person.id))
    )
    rows = await session.exec(query)
    return [(p, t, at, (p.timezone or "", ws)) for p, t, at, ws in rows.all()]


async def drop_follows(session: AsyncSession, *, person_id: int) -> list[str]:
    """Unfollow every topic of a person (``/narrate leave``); returns the topics, as typed."""
    rows = await session.exec(
        select(TopicPreference)
        .where(col(TopicPreference.person_id) == person_id, col(TopicPreference.kind) == FOLLOW)
        .order_by(col(TopicPreference.created_at), col(TopicPreference.topic))
    )
    topics = [row.topic for row in rows.all()]
    if topics:
        await session.exec(
            delete(TopicPreference).where(
                col(TopicPreference.person_id) == person_id, col(TopicPreference.kind) == FOLLOW
            )
        )
    return topics


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
