"""Queries on the places of update posts whose narration went without them
(``UpdatePostOrphan``, filled by a trigger as a narration is deleted).

The repair (``features.orphan_posts``) reads the due ones (``due``: two index probes when there are
none, as on every wake-up of a database only this version wrote), takes each for one try (``take``,
a compare-and-set, so two replicas never both try it), and then forgets it (``done``), puts it off
(``later``), or puts a refused one off for long (``refused``: ``REFUSED_WAIT`` in the repair), made
due at once when the bot is back in its channel (``reachable_again``). This version's own delete
and forget-me, having deleted the posts themselves, forget their places at once (``settle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_, update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import refusals
from .orphan_post_tables import UpdatePostOrphan
from .tables import Tenant


@dataclass(frozen=True)
class Orphan:
    """A post to delete, with the workspace it is in."""

    row: UpdatePostOrphan
    tenant: Tenant


async def due(
    session: AsyncSession, *, now: datetime, platforms: Sequence[str], limit: int
) -> list[Orphan]:
    """The places whose try is due, in workspaces of ``platforms`` (those this process has a
    gateway for): new ones first, oldest first, then those whose wait is over, refused ones
    too once their long wait is. Two range reads of ``ix_update_post_orphan_retry_at`` (``IS
    NULL``, then ``<= now``), not one ``OR``, which SQLite reads by scanning the table: places
    waiting long (a workspace whose token was revoked, a refused delete) would be read again at
    every wake-up."""
    found: list[Orphan] = []
    for due_now, order in (
        (col(UpdatePostOrphan.retry_at).is_(None), col(UpdatePostOrphan.id)),
        (col(UpdatePostOrphan.retry_at) <= now, col(UpdatePostOrphan.retry_at)),
    ):
        if len(found) >= limit:
            break
        rows = await session.exec(
            select(UpdatePostOrphan, Tenant)
            .join(Tenant, col(Tenant.id) == col(UpdatePostOrphan.tenant_id))
            .where(
                due_now,
                col(Tenant.platform).in_(list(platforms)),
            )
            .order_by(order)
            .limit(limit - len(found))
        )
        found += [Orphan(row, tenant) for row, tenant in rows.all()]
    return found


async def take(
    session: AsyncSession, *, orphan_id: int, seen: datetime | None, until: datetime
) -> bool:
    """Take a due place for one try, leased until ``until``: ``False`` when another replica
    took it since it was read (its ``retry_at`` is no longer ``seen``)."""
    unchanged = (
        col(UpdatePostOrphan.retry_at).is_(None)
        if seen is None
        else col(UpdatePostOrphan.retry_at) == seen
    )
    taken = await session.exec(
        update(UpdatePostOrphan)
        .where(col(UpdatePostOrphan.id) == orphan_id, unchanged)
        .values(retry_at=until, attempts=UpdatePostOrphan.attempts + 1)
    )
    return bool(taken.rowcount)


async def done(session: AsyncSession, *, orphan_id: int) -> None:
    """Forget a place whose post is gone."""
    await session.exec(delete(UpdatePostOrphan).where(col(UpdatePostOrphan.id) == orphan_id))


async def later(session: AsyncSession, *, orphan_id: int, retry_at: datetime) -> None:
    """Put a place whose post stayed off until ``retry_at``."""
    await session.exec(
        update(UpdatePostOrphan)
        .where(col(UpdatePostOrphan.id) == orphan_id)
        .values(retry_at=retry_at)
    )


async def refused(
    session: AsyncSession, *, orphan_id: int, at: datetime, retry_at: datetime
) -> bool:
    """Put off until ``retry_at`` a place whose post the platform refuses to delete until
    someone changes something, noting when it first did (``refused_at``); whether this was the
    first refusal (the one logged)."""
    return await refusals.refused(
        session,
        UpdatePostOrphan,
        row=col(UpdatePostOrphan.id) == orphan_id,
        due=UpdatePostOrphan.retry_at,
        refused_at=UpdatePostOrphan.refused_at,
        at=at,
        retry_at=retry_at,
    )


async def reachable_again(session: AsyncSession, *, tenant_id: int, channel_id: str) -> None:
    """Make the refused places of this channel due at once: the bot was added to it again, so
    the delete it was refused may now go through, rather than after the refusal's long wait."""
    await session.exec(
        update(UpdatePostOrphan)
        .where(
            col(UpdatePostOrphan.tenant_id) == tenant_id,
            col(UpdatePostOrphan.channel_id) == channel_id,
            col(UpdatePostOrphan.refused_at).is_not(None),
        )
        .values(retry_at=None)
    )


async def settle(
    session: AsyncSession, *, platform: str, external_id: str, posts: Sequence[tuple[str, str]]
) -> None:
    """Forget the places of these posts (channel id, post id) in this workspace: deleted by the
    command that deleted their narrations."""
    if not posts:
        return
    tenant = select(Tenant.id).where(Tenant.platform == platform, Tenant.external_id == external_id)
    await session.exec(
        delete(UpdatePostOrphan).where(
            col(UpdatePostOrphan.tenant_id).in_(tenant),
            tuple_(col(UpdatePostOrphan.channel_id), col(UpdatePostOrphan.message_id)).in_(
                list(posts)
            ),
        )
    )
