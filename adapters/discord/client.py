"""The discord.py ``Client`` and its ``CommandTree``: where Discord's events enter the adapter.

It runs on ``Intents.default()`` (no members, presences or message content), adding Message
Content only when the server owner turned it on (``NARRATE_DISCORD__MESSAGE_CONTENT``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from discord import app_commands

from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.storage.database import Database

from . import commands
from .access import AccessTracker
from .conversation import Conversation
from .gateway import DiscordGateway, InvalidRequestBudget
from .interactions import DEFER_AFTER, Core, Interactions
from .retention import erase_guild
from .serial import PerGuild

log = logging.getLogger(__name__)

# A request that would wait longer than this for a rate limit fails instead, so nobody waits
# on a spinner and a scheduled post can be retried later (discord.py's minimum is 30 s).
MAX_RATELIMIT_WAIT = 60.0

# What the bot needs in a server, and why (README "Add to Discord" lists the same integer):
PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channels it posts prompts in, and their overwrites
    send_messages=True,  # prompts, and answers to mentions
    send_messages_in_threads=True,  # answers and follow-ups in prompt threads
    create_public_threads=True,  # a thread on each prompt, and on a mention it answers
    read_message_history=True,  # reply to a mention (a message reference)
    embed_links=True,  # answers longer than 2,000 characters go in an embed
)
SCOPES = ("bot", "applications.commands")


def point_at(api_base_url: str | None, gateway_url: str | None) -> None:
    """Use another REST base and gateway (a local fake in tests; a proxy). Process-wide:
    discord.py has no per-client setting for these (pinned ~=2.7.1 for that reason)."""
    if api_base_url:
        discord.http.Route.BASE = api_base_url.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class NarrateClient(discord.Client):
    def __init__(
        self,
        core: Core,
        settings: Settings,
        *,
        db: Database,
        defer_after: float = DEFER_AFTER,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        **options: Any,
    ) -> None:
        self.discord_settings = settings.discord
        intents = discord.Intents.default()
        intents.message_content = self.discord_settings.message_content
        self.budget = InvalidRequestBudget(self.discord_settings.invalid_request_budget)
        options.setdefault("max_ratelimit_timeout", MAX_RATELIMIT_WAIT)
        super().__init__(intents=intents, http_trace=self.budget.trace, **options)
        self.core = PerGuild(core)
        self.db = db
        self.now = now
        self.tree: app_commands.CommandTree[NarrateClient] = app_commands.CommandTree(self)
        # The core's own database, where the memberships it acts on are stored (a stand-in core
        # in tests keeps none).
        self.access = AccessTracker(self.core, getattr(core, "db", None))
        self.gateway = DiscordGateway(
            self, self.discord_settings, self.budget, self.access, now=now
        )
        self.interactions = Interactions(
            self.core, self.gateway, self.access, defer_after=defer_after
        )
        self.conversation = Conversation(
            self.core, self.gateway, self.access, self.discord_settings
        )
        commands.build(self.tree, self.interactions.command)
        core.gateways[Platform.DISCORD] = self.gateway

    async def setup_hook(self) -> None:
        guild_id = self.discord_settings.dev_guild_id
        if guild_id is not None:
            # A development guild sees changes at once; global commands can take a while.
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    # ------------------------------------------------------------------------------ events

    async def on_ready(self) -> None:
        if self.application_id is not None:
            url = discord.utils.oauth_url(
                self.application_id, permissions=PERMISSIONS, scopes=SCOPES
            )
            log.info("connected to %d servers; invite link: %s", len(self.guilds), url)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.interactions.component_or_modal(interaction)

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None:
            await self.conversation.on_message(message, self.user)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.access.describe_guild(guild, self.now())

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.access.describe_guild(guild, self.now())

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await erase_guild(self.db, guild.id, now=self.now())

    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        await self.access.describe_channel(channel, self.now())

    async def on_guild_channel_update(
        self, _before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        await self.access.describe_channel(after, self.now())

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.access.channel_deleted(channel, self.now())

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """Raw: a thread deleted while archived (so uncached) must be forgotten all the same."""
        guild = self.get_guild(payload.guild_id)
        if guild is not None:
            await self.access.thread_deleted(
                guild, payload.thread_id, payload.thread_type, self.now()
            )

    async def on_guild_role_create(self, role: discord.Role) -> None:
        await self.access.describe_guild(role.guild, self.now())

    async def on_guild_role_update(self, _before: discord.Role, after: discord.Role) -> None:
        await self.access.describe_guild(after.guild, self.now())

    async def on_guild_role_delete(self, role: discord.Role) -> None:
        await self.access.describe_guild(role.guild, self.now())
