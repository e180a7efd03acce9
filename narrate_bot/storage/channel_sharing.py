"""A channel's ``shared`` flag as the platform states it when asked (``ports.ChannelSharing``),
kept on its stored row (with whether it is archived and the bot is in it); and which row is the
workspace's introductions channel."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .repositories import hold_readers
from .tables import Channel, ChannelMember, Tenant, TenantSetting


async def keep_shared(session: AsyncSession, *, channel_pk: int, shared: bool) -> None:
    await session.exec(update(Channel).where(col(Channel.id) == channel_pk).values(shared=shared))


async def channel_named_by(session: AsyncSession, *, tenant_id: int, key: str) -> Channel | None:
    """The tenant's stored channel whose platform id the setting ``key`` holds, if any."""
    setting = await session.exec(
        select(TenantSetting.value).where(
            TenantSetting.tenant_id == tenant_id, TenantSetting.key == key
        )
    )
    channel_id = setting.first()
    if channel_id is None:
        return None
    found = await session.exec(
        select(Channel).where(Channel.tenant_id == tenant_id, Channel.channel_id == channel_id)
    )
    return found.first()


async def keep_now(
    session: AsyncSession,
    *,
    channel_pk: int,
    shared: bool | None = None,
    archived: bool | None = None,
    bot_left: bool | None = None,
    readers_kept: bool = False,
) -> None:
    """Keep on the channel's row what the platform said when asked (``ports.ChannelLookup``);
    a ``None`` is something it didn't say, and leaves the stored flag as it is. A private
    channel the bot is found back in keeps no readers until they are read again
    (``back_in``), unless the platform kept telling them while it was out (``readers_kept``,
    ``ports.readers_kept``)."""
    if bot_left is False and not readers_kept:
        await back_in(session, channel_pk=channel_pk)
    said = {
        name: value
        for name, value in (("shared", shared), ("archived", archived), ("bot_left", bot_left))
        if value is not None
    }
    if said:
        await session.exec(update(Channel).where(col(Channel.id) == channel_pk).values(**said))


async def back_in(session: AsyncSession, *, channel_pk: int) -> None:
    """Forget the readers of a private channel the bot was out of (``bot_left``), as it is
    found back in: they are what was learned while it was out, when the platform tells it of
    nobody leaving (Slack), so someone who left meanwhile was still taken for a reader and shown
    what is narrated there. Until the platform lists them again (Slack describes a private
    channel before every command there, and on the bot's join event) nobody but the authors
    reads it, the rule for a private channel without known readers. Call it before clearing
    ``bot_left``; a channel the bot wasn't out of keeps its readers.

    The workspace's erasure mark is held first (``repositories.hold_readers``), as
    ``set_members`` holds it: the rows deleted here are locked until the commit, and a forget-me
    holding the mark would wait for them while this waited for the mark in ``set_members``."""
    await hold_readers(session, channel_pk=channel_pk)
    was_out = select(Channel.id).where(
        col(Channel.id) == channel_pk, col(Channel.bot_left), Channel.kind == "private"
    )
    await session.exec(
        delete(ChannelMember).where(
            col(ChannelMember.channel_pk) == channel_pk, col(ChannelMember.channel_pk).in_(was_out)
        )
    )


async def bot_in_by_channel(
    session: AsyncSession, *, platform: str, external_id: str
) -> dict[str, bool]:
    """The platform ids of a tenant's channels, each with whether it is stored as one the bot
    is in (``False``: out of it, ``bot_left``): what an adapter that can tell its own access
    only by looking (Discord) compares with what it reaches when a process starts, since
    access given back or taken away while it was down sends nothing."""
    rows = await session.exec(
        select(Channel.channel_id, Channel.bot_left)
        .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
        .where(Tenant.platform == platform, Tenant.external_id == external_id)
    )
    return {channel_id: not bot_left for channel_id, bot_left in rows.all()}
