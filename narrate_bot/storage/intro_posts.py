"""Queries on where introductions were posted in the introductions channel (``IntroPost``).

Delivery keeps each post's place as it goes out (``keep``); forget-me marks the posts of the
person's introductions due for an edit (``retract``, in the erasure's transaction). The edit
(``features.intro_posts``) reads the due ones (``due``: one index probe when there are none),
takes each for one try (``take``, a compare-and-set, so two replicas never both try it), reads
who is left in it (``left_in``), and then settles it (``done``) or puts it off (``later``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import refusals
from .intro_tables import Introduction, IntroMember, IntroPost
from .tables import Person, Tenant


@dataclass(frozen=True)
class Due:
    """A post to edit, with its introduction's number and its workspace."""

    row: IntroPost
    number: int
    tenant: Tenant


async def keep(
    session: AsyncSession,
    *,
    tenant_id: int,
    number: int,
    channel_id: str,
    message_id: str,
    user_ids: Sequence[str],
    now: datetime,
) -> None:
    """Note where introduction ``number`` was just posted, once per post (a second call for
    the same post keeps nothing more). Someone it names who was forgotten while it went out
    (their row is gone) makes the edit due at once.

    The introduction's row is locked first, as ``retract`` locks it: on PostgreSQL a forget-me
    committing meanwhile either finds this place or is seen gone here, never neither."""
    found = (
        await session.exec(
            select(Introduction.id)
            .where(Introduction.tenant_id == tenant_id, Introduction.number == number)
            .with_for_update()
        )
    ).first()
    if found is None:
        return  # not an introduction of this workspace (a text that merely looks like one)
    kept = (
        await session.exec(
            select(IntroPost.id).where(
                IntroPost.introduction_id == found,
                IntroPost.channel_id == channel_id,
                IntroPost.message_id == message_id,
            )
        )
    ).first()
    if kept is not None:
        # Kept already: the transaction recording the send was tried again after it had
        # committed (``schedule_delivery._deliver``). A second row would be edited twice.
        return
    present = (
        await session.exec(
            select(Person.user_id).where(
                Person.tenant_id == tenant_id, col(Person.user_id).in_(list(user_ids))
            )
        )
    ).all()
    gone = len(set(present)) < len(set(user_ids))
    session.add(
        IntroPost(
            introduction_id=found,
            channel_id=channel_id,
            message_id=message_id,
            people=len(set(user_ids)),
            retract_at=now if gone else None,
        )
    )


async def posted_of(session: AsyncSession, *, person_id: int) -> list[int]:
    """The introductions of the person that were posted in an introductions channel."""
    rows = await session.exec(
        select(IntroPost.introduction_id)
        .join(IntroMember, col(IntroMember.introduction_id) == col(IntroPost.introduction_id))
        .where(IntroMember.person_id == person_id)
        .distinct()
    )
    return list(rows.all())


async def retract(session: AsyncSession, *, introduction_ids: Sequence[int], now: datetime) -> None:
    """In a forget-me's transaction: the posts of these introductions are due for an edit."""
    if not introduction_ids:
        return
    await session.exec(
        select(Introduction.id)
        .where(col(Introduction.id).in_(list(introduction_ids)))
        .with_for_update()
    )
    await session.exec(
        update(IntroPost)
        .where(col(IntroPost.introduction_id).in_(list(introduction_ids)))
        .values(retract_at=now)
    )


async def due(
    session: AsyncSession,
    *,
    now: datetime,
    platforms: Sequence[str],
    limit: int,
    ids: Sequence[int] = (),
) -> list[Due]:
    """The posts whose edit is due, in workspaces of ``platforms`` (those this process has a
    gateway for), longest waiting first; only those of ``ids`` when given (a forget-me trying its
    own at once). A range read of ``ix_intro_post_retract_at``."""
    query = (
        select(IntroPost, Introduction.number, Tenant)
        .join(Introduction, col(Introduction.id) == col(IntroPost.introduction_id))
        .join(Tenant, col(Tenant.id) == col(Introduction.tenant_id))
        .where(col(IntroPost.retract_at) <= now, col(Tenant.platform).in_(list(platforms)))
        .order_by(col(IntroPost.retract_at), col(IntroPost.id))
        .limit(limit)
    )
    if ids:
        query = query.where(col(IntroPost.introduction_id).in_(list(ids)))
    return [Due(row, number, tenant) for row, number, tenant in (await session.exec(query)).all()]


async def take(session: AsyncSession, *, post_id: int, seen: datetime, until: datetime) -> bool:
    """Take a due post for one try, leased until ``until``: ``False`` when another replica took
    it since it was read (its ``retract_at`` is no longer ``seen``)."""
    taken = await session.exec(
        update(IntroPost)
        .where(col(IntroPost.id) == post_id, col(IntroPost.retract_at) == seen)
        .values(retract_at=until, attempts=col(IntroPost.attempts) + 1)
    )
    return bool(taken.rowcount)


async def left_in(
    session: AsyncSession, *, introduction_id: int
) -> list[tuple[Person, str | None]]:
    """Who is still in the introduction, with the team it recorded for them, in the order of
    their rows (the order it named them in)."""
    rows = await session.exec(
        select(Person, IntroMember.team)
        .join(IntroMember, col(IntroMember.person_id) == col(Person.id))
        .where(IntroMember.introduction_id == introduction_id)
        .order_by(col(Person.id))
    )
    return [(person, team) for person, team in rows.all()]


async def done(session: AsyncSession, *, post_id: int, until: datetime) -> None:
    """The post says what it should: nothing is due any more, unless someone else in it was
    forgotten while it was being edited (their forget-me set a newer ``retract_at``)."""
    await session.exec(
        update(IntroPost)
        .where(col(IntroPost.id) == post_id, col(IntroPost.retract_at) == until)
        .values(retract_at=None, attempts=0, refused_at=None)
    )


async def gone(session: AsyncSession, *, post_id: int) -> None:
    """Forget a post that was deleted (nobody was left in its introduction)."""
    await session.exec(delete(IntroPost).where(col(IntroPost.id) == post_id))


async def later(
    session: AsyncSession, *, post_id: int, until: datetime, retract_at: datetime
) -> None:
    """Put off a post whose edit failed until ``retract_at`` (unless a newer forget-me made it
    due since: then that stands)."""
    await session.exec(
        update(IntroPost)
        .where(col(IntroPost.id) == post_id, col(IntroPost.retract_at) == until)
        .values(retract_at=retract_at)
    )


async def refused(
    session: AsyncSession, *, post_id: int, until: datetime, at: datetime, retract_at: datetime
) -> bool:
    """The platform refused for good to edit (or delete) the post: put it off until
    ``retract_at`` (unless a newer forget-me made it due since), noting the first refusal;
    whether this was it (the one logged)."""
    return await refusals.refused(
        session,
        IntroPost,
        row=and_(col(IntroPost.id) == post_id, col(IntroPost.retract_at) == until),
        due=IntroPost.retract_at,
        refused_at=IntroPost.refused_at,
        at=at,
        retry_at=retract_at,
    )


async def reachable_again(session: AsyncSession, *, tenant_id: int, channel_id: str) -> None:
    """Make the refused posts of this introductions channel due at once: the bot was added to it
    again, so the edit (or delete) it was refused may now go through, rather than a week on."""
    introductions = select(Introduction.id).where(col(Introduction.tenant_id) == tenant_id)
    await session.exec(
        update(IntroPost)
        .where(
            col(IntroPost.introduction_id).in_(introductions),
            col(IntroPost.channel_id) == channel_id,
            col(IntroPost.refused_at).is_not(None),
        )
        .values(retract_at=refusals.AT_ONCE)
    )
