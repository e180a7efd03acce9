"""Where each person last used the bot, per tenant: generic plumbing the core never reads.

An adapter that tells someone whose DMs are closed where something waits for them, in a
channel they used the bot in (Discord's DM pointer), keeps that channel here, so a restart
still knows it (``last_place_tables``). Person data: ``privacy`` exports and erases it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import conflict_insert
from .last_place_tables import LastPlace
from .repositories import is_forgotten
from .tables import Tenant


async def _tenant_id(session: AsyncSession, platform: str, external_id: str) -> int | None:
    found = await session.exec(
        select(Tenant.id).where(Tenant.platform == platform, Tenant.external_id == external_id)
    )
    return found.first()


async def keep(
    session: AsyncSession,
    *,
    platform: str,
    external_id: str,
    user_id: str,
    channel_id: str,
    at: datetime,
) -> bool:
    """``user_id`` used the bot in ``channel_id``; ``False`` when nothing is kept: the tenant
    isn't stored, or the person is marked forgotten (a forget-me, until they use the bot as
    anyone does: ``repositories.came_back``)."""
    tenant_id = await _tenant_id(session, platform, external_id)
    if tenant_id is None or await is_forgotten(session, tenant_id=tenant_id, user_id=user_id):
        return False
    statement = conflict_insert(session, LastPlace).values(
        tenant_id=tenant_id, user_id=user_id, channel_id=channel_id, seen_at=at
    )
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "user_id"],
            set_={
                "channel_id": statement.excluded.channel_id,
                "seen_at": statement.excluded.seen_at,
            },
        )
    )
    return True


async def last(
    session: AsyncSession, *, platform: str, external_id: str, user_id: str
) -> str | None:
    """The channel ``user_id`` last used the bot in, if it is kept."""
    found = await session.exec(
        select(LastPlace.channel_id)
        .join(Tenant, col(Tenant.id) == col(LastPlace.tenant_id))
        .where(
            Tenant.platform == platform,
            Tenant.external_id == external_id,
            LastPlace.user_id == user_id,
        )
    )
    return found.first()


async def drop(
    session: AsyncSession, *, platform: str, external_id: str, user_id: str, channel_id: str
) -> None:
    """The channel refused to be pointed in: forgotten, unless they used another since."""
    tenant_id = await _tenant_id(session, platform, external_id)
    if tenant_id is None:
        return
    await session.exec(
        delete(LastPlace).where(
            col(LastPlace.tenant_id) == tenant_id,
            col(LastPlace.user_id) == user_id,
            col(LastPlace.channel_id) == channel_id,
        )
    )


async def of_user(session: AsyncSession, *, tenant_id: int, user_id: str) -> list[LastPlace]:
    """For the privacy export."""
    found = await session.exec(
        select(LastPlace).where(LastPlace.tenant_id == tenant_id, LastPlace.user_id == user_id)
    )
    return list(found.all())


async def forget_user(session: AsyncSession, *, tenant_id: int, user_id: str) -> None:
    """Forget-me: where they last used the bot goes with the rest."""
    await session.exec(
        delete(LastPlace).where(
            col(LastPlace.tenant_id) == tenant_id, col(LastPlace.user_id) == user_id
        )
    )
