"""Keeping the core's idea of who can read which channel current, without privileged intents.

Channel create/update/delete and role changes arrive with the default intents; member joins,
leaves and role changes don't (they need the privileged members intent, which we don't ask
for). So: channels are described on sight and on every change, cached members' access is
recomputed then, and each person's access to every private channel is re-checked from their
own roles whenever they talk to the bot (an interaction or a mention), before the core
answers them. The only answers that could draw on a private channel are given at that moment,
so a stale membership can't leak: it is corrected first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import discord

from narrate_bot.events import ChannelKind, Event
from narrate_bot.replies import Reply

from . import translate
from .visibility import cached_readers, channel_kind, describable, private_channel_access


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
        key = (guild.id, member.id)
        before = self._seen.get(key, {})
        for channel_id, visible in access.items():
            if before.get(channel_id) == visible:
                continue
            ref = translate.where(channels[channel_id])
            await self.core.handle(
                translate.membership(guild, ref, str(member.id), joined=visible, now=now)
            )
        self._seen[key] = access
