"""What the platform last said of a tenant's stored places it no longer lists.

Generic plumbing the core never reads: an adapter that learns of deletions made while no
process ran only by asking (Discord's ``GET /channels/{id}`` at a server's first look) keeps
the answer here, per place, so a restart doesn't ask again (``place_lookup_tables``).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement
from sqlmodel import col, delete, exists, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import conflict_insert
from .place_lookup_tables import PlaceLookup
from .tables import Channel, ChannelMember, Tenant

GONE = "gone"  # the platform has no such place (a deleted channel): for good
REFUSED = "refused"  # the platform won't say (the bot may not see it): until access changes


class StoredPlace(NamedTuple):
    kind: str  # public | private | direct
    outcome: str | None  # GONE, REFUSED, or None: never asked, or found
    looked_at: datetime | None
    read: bool  # someone is stored as reading it (a private place's ``channel_member``)


async def stored_places(
    session: AsyncSession, *, platform: str, external_id: str
) -> dict[str, StoredPlace]:
    """Every stored place of the tenant, by platform id, with what its last look-up said and
    whether anyone is stored as reading it."""
    read = exists().where(col(ChannelMember.channel_pk) == col(Channel.id))
    rows = await session.exec(
        select(Channel.channel_id, Channel.kind, PlaceLookup, read)
        .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
        .outerjoin(PlaceLookup, col(PlaceLookup.channel_pk) == col(Channel.id))
        .where(Tenant.platform == platform, Tenant.external_id == external_id)
    )
    return {
        channel_id: StoredPlace(
            kind,
            None if lookup is None else lookup.outcome,
            None if lookup is None else lookup.looked_at,
            bool(is_read),
        )
        for channel_id, kind, lookup, is_read in rows.all()
    }


async def note(
    session: AsyncSession,
    *,
    platform: str,
    external_id: str,
    channel_id: str,
    outcome: str,
    at: datetime,
) -> None:
    """Keep what the platform said of the stored place (nothing when none is stored). Two
    replicas may note one place at once: the later answer stands."""
    pk = (
        await session.exec(
            select(Channel.id)
            .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
            .where(
                Tenant.platform == platform,
                Tenant.external_id == external_id,
                Channel.channel_id == channel_id,
            )
        )
    ).first()
    if pk is None:
        return
    statement = conflict_insert(session, PlaceLookup).values(
        channel_pk=pk, outcome=outcome, looked_at=at
    )
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["channel_pk"],
            set_={"outcome": statement.excluded.outcome, "looked_at": statement.excluded.looked_at},
        )
    )


def _refused_in(platform: str, external_id: str) -> list[ColumnElement[bool]]:
    tenant_places = (
        select(Channel.id)
        .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
        .where(Tenant.platform == platform, Tenant.external_id == external_id)
    )
    return [col(PlaceLookup.outcome) == REFUSED, col(PlaceLookup.channel_pk).in_(tenant_places)]


async def any_refused(session: AsyncSession, *, platform: str, external_id: str) -> bool:
    """Whether a place of the tenant is kept as refused: one read, so the forget below (a
    write, and on SQLite the write lock) runs only when there is something to forget."""
    found = await session.exec(select(exists().where(*_refused_in(platform, external_id))))
    return bool(found.one())


async def forget_refusals(session: AsyncSession, *, platform: str, external_id: str) -> None:
    """The bot's access in the tenant changed: each place it was refused is asked about
    again at the next look."""
    await session.exec(delete(PlaceLookup).where(*_refused_in(platform, external_id)))
