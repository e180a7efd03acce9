"""Queries on form updates' posts whose text or visibility may be behind their narration's
(``UpdatePost.resync_at``, migration 0044).

Any version's edit of a narration's text, or its making the narration "only me" again, sets
``resync_at`` to 1970-01-01 by a trigger ("due now": a trigger can't read the bot's clock).
This version's own edit overwrites that with a lease in the same transaction (``lease``) and
clears it by compare once the platform has the edit (``settled``); the scheduler's repair takes
what is due (``due``, ``take``) and puts off what failed (``later``), or what the platform
refused for good for a week (``refused``, logged once), made due at once when the
bot is back in the post's channel (``reachable_again``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import refusals
from .tables import Channel, Narration, Person
from .update_post_tables import UpdatePost
from .update_posts import Retry, _with_tenants


async def lease(session: AsyncSession, *, narration_id: int, until: datetime) -> datetime | None:
    """In an edit's transaction, after the narration's update (and so after the trigger): the
    editor edits the post itself, and the repair leaves it alone until ``until``. ``None`` when
    the narration has no post out (one going out reads the new text once it is)."""
    leased = await session.exec(
        update(UpdatePost)
        .where(
            col(UpdatePost.narration_id) == narration_id, col(UpdatePost.message_id).is_not(None)
        )
        .values(resync_at=until)
    )
    return until if leased.rowcount else None


async def settled(session: AsyncSession, *, narration_id: int, leased: datetime) -> bool:
    """The platform has the edit made under ``leased``: the post is in step. ``False`` when
    another edit (an older replica's, by the trigger) made it due again meanwhile: the repair
    edits it to that text."""
    done = await session.exec(
        update(UpdatePost)
        .where(col(UpdatePost.narration_id) == narration_id, col(UpdatePost.resync_at) == leased)
        .values(resync_at=None, resync_tries=0, resync_refused_at=None)
    )
    return bool(done.rowcount)


async def due(
    session: AsyncSession, *, now: datetime, limit: int, platforms: list[str]
) -> list[Retry]:
    """Posts due for a repair, the longest due first (``ix_update_post_resync_at``)."""
    rows = await session.exec(
        select(UpdatePost, Narration, Person, Channel)
        .join(Narration, col(Narration.id) == col(UpdatePost.narration_id))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(col(UpdatePost.resync_at).is_not(None), col(UpdatePost.resync_at) <= now)
        .order_by(col(UpdatePost.resync_at), col(UpdatePost.id))
        .limit(limit)
    )
    found = await _with_tenants(session, rows.all())
    return [item for item in found if item.tenant.platform in platforms]


async def take(session: AsyncSession, *, post_id: int, seen: datetime, until: datetime) -> bool:
    """Take a due post for one try, leased until ``until``: ``False`` when another replica took
    it, or an edit made it due again, since it was read."""
    taken = await session.exec(
        update(UpdatePost)
        .where(col(UpdatePost.id) == post_id, col(UpdatePost.resync_at) == seen)
        .values(resync_at=until)
    )
    return bool(taken.rowcount)


async def later(
    session: AsyncSession, *, post_id: int, leased: datetime, wait: timedelta, now: datetime
) -> None:
    """Put off a post the platform didn't take the edit of, unless an edit made it due again."""
    await session.exec(
        update(UpdatePost)
        .where(col(UpdatePost.id) == post_id, col(UpdatePost.resync_at) == leased)
        .values(resync_at=now + wait, resync_tries=UpdatePost.resync_tries + 1)
    )


async def refused(
    session: AsyncSession, *, post_id: int, leased: datetime, at: datetime, retry_at: datetime
) -> bool:
    """The platform refused for good to edit the post: put it off until ``retry_at``, unless an
    edit made it due again meanwhile; whether this was its first refusal (the one to log)."""
    return await refusals.refused(
        session,
        UpdatePost,
        row=and_(col(UpdatePost.id) == post_id, col(UpdatePost.resync_at) == leased),
        due=UpdatePost.resync_at,
        refused_at=UpdatePost.resync_refused_at,
        at=at,
        retry_at=retry_at,
    )


async def current(session: AsyncSession, *, post_id: int) -> tuple[UpdatePost, Narration] | None:
    """The post and its narration as they are now, held until the transaction ends (on
    PostgreSQL): an edit committing meanwhile waits, then makes it due again."""
    found = await session.exec(
        select(UpdatePost, Narration)
        .join(Narration, col(Narration.id) == col(UpdatePost.narration_id))
        .where(col(UpdatePost.id) == post_id)
        .with_for_update()
    )
    row = found.first()
    return None if row is None else (row[0], row[1])


async def reachable_again(session: AsyncSession, *, tenant_id: int, channel_id: str) -> None:
    """Make the posts of this channel whose repair failed due at once: the bot was added to it
    again, so the edit it couldn't make may now go through, rather than after the back-off."""
    narrations = select(Narration.id).where(col(Narration.tenant_id) == tenant_id)
    await session.exec(
        update(UpdatePost)
        .where(
            col(UpdatePost.narration_id).in_(narrations),
            col(UpdatePost.channel_id) == channel_id,
            col(UpdatePost.resync_at).is_not(None),
            or_(col(UpdatePost.resync_tries) > 0, col(UpdatePost.resync_refused_at).is_not(None)),
        )
        .values(resync_at=refusals.AT_ONCE)
    )
