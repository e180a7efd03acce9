"""One core call at a time per guild.

discord.py runs every event handler as its own task, so a guild's first events (its channels
described on arrival, a slash command, a mention) reach the core concurrently. The core's
first-sight inserts (``ensure_tenant``/``ensure_channel``/``ensure_person``) are
read-then-insert, which PostgreSQL rejects with a unique violation when two transactions race.
Serializing per guild keeps each guild's events in arrival order; different guilds still run in
parallel. (One process holds the gateway connection, so this covers every event it receives.)
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from narrate_bot.config import Settings
from narrate_bot.events import Event, Platform, TenantRef
from narrate_bot.ports import ChatGateway
from narrate_bot.replies import Post, Reply

from .interactions import Core


class PerGuild:
    def __init__(self, core: Core) -> None:
        self.inner = core
        self.gateways: dict[Platform, ChatGateway] = core.gateways  # the same dict
        self.settings: Settings = core.settings
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def handle(self, event: Event) -> list[Reply]:
        async with self._locks[event.tenant.tenant_id]:
            return await self.inner.handle(event)

    async def reply_posted(
        self, tenant: TenantRef, reply: Reply, post: Post, message_id: str
    ) -> None:
        """Not in the guild's turn: it inserts nothing another event could race (it reads the
        guild's stored rows, and finds a narration deleted meanwhile gone)."""
        await self.inner.reply_posted(tenant, reply, post, message_id)

    @asynccontextmanager
    async def exclusive(self, tenant_id: str) -> AsyncIterator[None]:
        """The guild's turn, outside the core: erasing a guild between two of its events, not
        in the middle of one, so an event already under way can't write the tenant back half
        erased."""
        async with self._locks[tenant_id]:
            yield
