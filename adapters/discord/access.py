"""Keeping the core's idea of who can read which channel current, without privileged intents.

Channel create/update/delete and role changes arrive with the default intents; member joins,
leaves and role changes don't (they need the privileged members intent, which we don't ask
for), and the member cache keeps whatever roles a person had when last seen. So: channels are
described on sight and on every change, cached members' access is recomputed then, and each
person's access to every private channel is re-checked from their own roles whenever they talk
to the bot (an interaction or a mention), before the core answers them. The weekly
introductions speak first, to people who may not have talked to the bot for weeks, and their
reasons may name topics from private channels: before they are computed, each participant's
member record is fetched again over REST (no intent needed; ``recheck``), and someone no longer
in the server loses every private channel and counts as gone (never suggested or introduced
until they use the bot again). Only a stale membership nothing reads before it is corrected can
remain.

What the core has stored is compared with the fresh view, not a memory of what we last told it:
the core changes memberships on its own (a forget-me erases them, a command in a private channel
adds its author, another replica writes too), and a remembered "already told" then hid a change
that was needed, such as someone who erased themselves and still reads a channel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import discord
from sqlmodel import col, select

from narrate_bot.events import ChannelKind, Event, Platform
from narrate_bot.replies import Reply
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Channel, ChannelMember, Tenant

from . import translate
from .visibility import cached_readers, channel_kind, describable, private_channel_access

log = logging.getLogger(__name__)


class Handles(Protocol):
    async def handle(self, event: Event) -> list[Reply]: ...


class AccessTracker:
    def __init__(self, core: Handles, db: Database | None = None) -> None:
        """``db`` is where the core keeps memberships; ``None`` for a stand-in core that keeps
        none (then every readable private channel is told each time)."""
        self.core = core
        self.db = db

    async def describe_guild(self, guild: discord.Guild, now: datetime) -> None:
        for channel in describable(guild):
            await self.describe_channel(channel, now)

    async def describe_channel(self, channel: discord.abc.GuildChannel, now: datetime) -> None:
        await self.core.handle(translate.channel_described(channel, now=now))
        if channel_kind(channel) != ChannelKind.PRIVATE:
            return
        ref = translate.where(channel)
        for user_id, visible in cached_readers(channel).items():
            await self.core.handle(
                translate.membership(channel.guild, ref, user_id, joined=visible, now=now)
            )

    async def channel_deleted(self, channel: discord.abc.GuildChannel, now: datetime) -> None:
        await self.core.handle(translate.channel_gone(channel, now=now))

    async def refresh(self, guild: discord.Guild, member: discord.Member, now: datetime) -> None:
        """Tell the core which private channels ``member`` can view now, where that differs
        from what it has stored."""
        channels = {str(c.id): c for c in describable(guild)}
        access = private_channel_access(member, channels.values())
        await self._tell(guild, channels, member.id, access, now)

    async def _tell(
        self,
        guild: discord.Guild,
        channels: dict[str, discord.abc.GuildChannel],
        user_id: int,
        access: dict[str, bool],
        now: datetime,
    ) -> None:
        """Send the core each private channel whose access differs from its stored one."""
        recorded = await self._recorded(guild.id, user_id)
        for channel_id, visible in access.items():
            if (channel_id in recorded) == visible:
                continue
            ref = translate.where(channels[channel_id])
            await self.core.handle(
                translate.membership(guild, ref, str(user_id), joined=visible, now=now)
            )

    async def _recorded(self, guild_id: int, user_id: int) -> set[str]:
        """The private places of this guild the core has ``user_id`` down as reading.

        Read each time, outside the per-guild queue: a read racing a write of the same person
        at worst tells the core again what it already has (adding or removing is idempotent).
        """
        if self.db is None:
            return set()
        async with self.db.transaction() as session:
            rows = await session.exec(
                select(Channel.channel_id)
                .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
                .join(Tenant, col(Tenant.id) == col(Channel.tenant_id))
                .where(
                    Tenant.platform == Platform.DISCORD.value,
                    Tenant.external_id == str(guild_id),
                    Channel.kind == ChannelKind.PRIVATE.value,
                    ChannelMember.user_id == str(user_id),
                )
            )
            return set(rows.all())

    async def recheck(self, guild: discord.Guild, user_ids: Iterable[int], now: datetime) -> None:
        """Fetch each person's roles anew and tell the core what they may view now.

        One request at a time: discord.py waits out each 429 (the members route has its own
        bucket), and a batch of participants shouldn't burst. The cached member is not used: no
        member update reaches us, so its roles are the ones it had when it was cached.
        """
        for user_id in user_ids:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:  # left the server (or the account is gone)
                await self.revoke(guild, user_id, now)
                await self.core.handle(translate.departed(guild, str(user_id), now=now))
                continue
            except Exception as problem:  # refused, timed out, or rate limited past our wait
                # Fail closed: they read nothing private until their next interaction, which
                # re-checks them before any answer; a reason must not rely on a stale row.
                log.warning(
                    "couldn't re-read a member of guild %s (%s); no private channels for them",
                    guild.id,
                    type(problem).__name__,
                )
                await self.revoke(guild, user_id, now)
                continue
            await self.refresh(guild, member, now)

    async def revoke(self, guild: discord.Guild, user_id: int, now: datetime) -> None:
        """No private channel of ``guild`` is open to ``user_id`` any more, as far as we know."""
        channels = {str(c.id): c for c in describable(guild)}
        closed = {
            channel_id: False
            for channel_id, channel in channels.items()
            if channel_kind(channel) == ChannelKind.PRIVATE
        }
        await self._tell(guild, channels, user_id, closed, now)
