"""Queries on the places of update posts whose narration went without them
(``UpdatePostOrphan``, filled by a trigger as a narration is deleted).

The repair (``features.orphan_posts``) reads the due ones (``due``: two index probes when there are
none, as on every wake-up of a database only this version wrote), takes each for one try (``take``,
a compare-and-set, so two replicas never both try it), and then forgets it (``done``), puts it off
(``later``), or gives it up for good (``refused``: kept, never due). This version's own delete and
forget-me, having deleted the posts themselves, forget their places at once (``settle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_, update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
    gateway for): new ones first, oldest first, then those whose wait is over. Two range reads
    of ``ix_update_post_orphan_retry_at`` (``IS NULL``, then ``<= now``), not one ``OR``,
    which SQLite reads by scanning the table: places waiting long (a workspace whose token
    was revoked) would be read again at every wake-up."""
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
                col(UpdatePostOrphan.refused_at).is_(None),
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


async def refused(session: AsyncSession, *, orphan_id: int, at: datetime) -> None:
    """Give up a place whose post the platform refuses for good to delete: kept, never due."""
    await session.exec(
        update(UpdatePostOrphan).where(col(UpdatePostOrphan.id) == orphan_id).values(refused_at=at)
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
