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
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import discord

from narrate_bot.events import ChannelKind, Event
from narrate_bot.replies import Reply

from . import translate
from .visibility import cached_readers, channel_kind, describable, private_channel_access

log = logging.getLogger(__name__)


class Handles(Protocol):
    async def handle(self, event: Event) -> list[Reply]: ...


class AccessTracker:
    def __init__(self, core: Handles) -> None:
        self.core = core
        # (guild, user) → private channel id → could view, as last told to the core.
        self._seen: dict[tuple[int, int], dict[str, bool]] = {}

    async def describe_guild(self, guild: discord.Guild, now: datetime) -> None:
        self.forget(guild.id)
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
        self.forget(channel.guild.id)

    async def channel_deleted(self, channel: discord.abc.GuildChannel, now: datetime) -> None:
        await self.core.handle(translate.channel_gone(channel, now=now))
        self.forget(channel.guild.id)

    def forget(self, guild_id: int) -> None:
        """Overwrites or roles changed: re-check everyone in full at their next interaction."""
        for key in [k for k in self._seen if k[0] == guild_id]:
            del self._seen[key]

    async def refresh(self, guild: discord.Guild, member: discord.Member, now: datetime) -> None:
        """Tell the core which private channels ``member`` can view now (only what changed)."""
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
        """Send the core each private channel whose access changed since we last told it."""
        key = (guild.id, user_id)
        before = self._seen.get(key, {})
        for channel_id, visible in access.items():
            if before.get(channel_id) == visible:
                continue
            ref = translate.where(channels[channel_id])
            await self.core.handle(
                translate.membership(guild, ref, str(user_id), joined=visible, now=now)
            )
        self._seen[key] = access

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
