"""What the platform last said of a tenant's stored places it no longer lists.

Generic plumbing the core never reads: an adapter that learns of deletions made while no
process ran only by asking (Discord's ``GET /channels/{id}`` at a server's first look) keeps
the answer here, per place, so a restart doesn't ask again (``place_lookup_tables``).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import conflict_insert
from .place_lookup_tables import PlaceLookup
from .tables import Channel, Tenant

GONE = "gone"  # the platform has no such place (a deleted channel): for good
REFUSED = "refused"  # the platform won't say (the bot may not see it): until access changes


class StoredPlace(NamedTuple):
    kind: str  # public | private | direct
    outcome: str | None  # GONE, REFUSED, or None: never asked, or found
    looked_at: datetime | None


async def stored_places(
    session: AsyncSession, *, platform: str, external_id: str
) -> dict[str, StoredPlace]:
    """Every stored place of the tenant, by platform id, with what its last look-up said."""
    rows = await session.exec(
        select(Channel.channel_id, Channel.kind, PlaceLookup.outcome, PlaceLookup.looked_at)
        .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
        .outerjoin(PlaceLookup, col(PlaceLookup.channel_pk) == col(Channel.id))
        .where(Tenant.platform == platform, Tenant.external_id == external_id)
    )
    return {
        channel_id: StoredPlace(kind, outcome, looked_at)
        for channel_id, kind, outcome, looked_at in rows.all()
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


async def forget_refusals(session: AsyncSession, *, platform: str, external_id: str) -> None:
    """The bot's access in the tenant changed: each place it was refused is asked about
    again at the next look."""
    tenant_places = (
        select(Channel.id)
        .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
        .where(Tenant.platform == platform, Tenant.external_id == external_id)
    )
    await session.exec(
        delete(PlaceLookup).where(
            col(PlaceLookup.outcome) == REFUSED, col(PlaceLookup.channel_pk).in_(tenant_places)
        )
    )
