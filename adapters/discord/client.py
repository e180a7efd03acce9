"""The discord.py ``Client`` and its ``CommandTree``: where Discord's events enter the adapter.

It runs on ``Intents.default()`` (no members, presences or message content), adding Message
Content only when the server owner turned it on (``NARRATE_DISCORD__MESSAGE_CONTENT``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from discord import app_commands

from narrate_bot.config import Settings
from narrate_bot.events import Platform
from narrate_bot.storage.database import Database

from . import commands, translate
from .access import AccessTracker
from .conversation import Conversation
from .gateway import DiscordGateway, InvalidRequestBudget
from .interactions import DEFER_AFTER, Core, Interactions
from .kept import KeptButtons
from .retention import erase_guild, stored_guild_ids
from .serial import PerGuild

log = logging.getLogger(__name__)
# How long ``close`` lets handlers at work finish before cancelling them: a stop or a deploy
# shouldn't wait on a handler held up for good, nor cut short one about to answer.
HANDLERS_END = 5.0

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
        # A stand-in core (tests) stores no guilds, so there are none to compare with READY.
        self.stores_guilds = getattr(core, "db", None) is not None
        self.departures: asyncio.Task[list[int]] | None = None
        self.handling: set[asyncio.Task[Any]] = set()
        self.now = now
        self.tree: app_commands.CommandTree[NarrateClient] = app_commands.CommandTree(self)
        # The core's own database, where the memberships it acts on are stored (a stand-in core
        # in tests keeps none).
        self.access = AccessTracker(self.core, getattr(core, "db", None))
        self.gateway = DiscordGateway(
            self,
            self.discord_settings,
            self.budget,
            self.access,
            now=now,
            kept=KeptButtons(db, now),
            db=getattr(core, "db", None),
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
        if self.stores_guilds:
            # Its own task, so ``close`` can wait for it: an erasure isn't cut short by a stop,
            # and the database isn't closed under it.
            self.departures = asyncio.create_task(self.erase_departed_guilds())
            await self.departures

    def _schedule_event(
        self,
        coro: Callable[..., Coroutine[Any, Any, Any]],
        event_name: str,
        *args: Any,
        **kwargs: Any,
    ) -> asyncio.Task[Any]:
        """discord.py's, with each handler's task remembered so ``close`` can let it end."""
        task = super()._schedule_event(coro, event_name, *args, **kwargs)
        self.handling.add(task)
        task.add_done_callback(self.handling.discard)
        return task

    async def close(self) -> None:
        if self.departures is not None:
            await asyncio.wait({self.departures})  # its error is on_ready's to report
        # Handlers still at work (a reply on its way, the last place being kept) end first,
        # within HANDLERS_END: closed under them, the HTTP session and the database went away
        # mid-write, and the loop later destroyed their half-run coroutines.
        here = asyncio.current_task()
        others = {task for task in self.handling if task is not here}
        if others:
            await asyncio.wait(others, timeout=HANDLERS_END)
        await super().close()
        left = {task for task in self.handling if task is not here and not task.done()}
        for task in left:
            task.cancel()
        if left:
            await asyncio.wait(left)

    async def erase_departed_guilds(self) -> list[int]:
        """Erase every stored guild that READY no longer lists: the bot was removed while it
        wasn't connected (a deploy, a crash, a host outage), so no GUILD_DELETE will ever come
        for it, and its schedules would fire into 403/404 forever.

        ``ready`` fires once READY's guild list is in the cache and the GUILD_CREATEs that follow
        have arrived (or timed out). READY lists every guild the bot is in, unavailable ones
        included, so a guild that is merely down (an outage) is still in ``self.guilds`` and
        keeps its data; only a guild absent from the list entirely is erased.

        Assumes one Discord application per database: tenants are keyed by guild id alone, so
        another application's guilds would look removed (the schema can't tell them apart; two
        applications in one server would already share a tenant). A client run as one shard of
        several hears only its own guilds, so only those are compared. Returns the erased ids.
        """
        if not self.intents.guilds:
            return []  # no guild events at all: the cache says nothing about membership
        present = {guild.id for guild in self.guilds}
        gone = [
            guild_id
            for guild_id in await stored_guild_ids(self.db)
            if guild_id not in present and self._on_this_shard(guild_id)
        ]
        erased: list[int] = []
        for guild_id in gone:
            async with self.core.exclusive(str(guild_id)):
                if self.get_guild(guild_id) is not None:
                    continue  # added back since READY: a fresh GUILD_CREATE, not a leftover
                await erase_guild(self.db, guild_id, now=self.now())
            erased.append(guild_id)
        if erased:
            log.info(
                "erased %d servers that removed the bot while it was offline: %s",
                len(erased),
                ", ".join(map(str, erased)),
            )
        return erased

    def _on_this_shard(self, guild_id: int) -> bool:
        """Discord's shard formula: with ``shard_id``/``shard_count`` set, READY lists only the
        guilds of this shard, and another shard's guilds are not gone."""
        if self.shard_id is None or self.shard_count is None or self.shard_count <= 1:
            return True
        return (guild_id >> 22) % self.shard_count == self.shard_id

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.interactions.component_or_modal(interaction)

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None:
            await self.conversation.on_message(message, self.user)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.access.describe_guild(guild, self.now())

    async def on_guild_join(self, guild: discord.Guild) -> None:
        # Added to the guild (again): what the platform refused while the bot was out is tried
        # at the next wake-up, as on Slack when the app is added back to a channel.
        await self.access.describe_guild(guild, self.now(), joined=True)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.access.forget(guild.id)
        async with self.core.exclusive(str(guild.id)):
            await erase_guild(self.db, guild.id, now=self.now())

    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        self.access.channel_reached(channel)  # kept: a new channel has nothing refused in it
        await self.access.describe_channel(channel, self.now())
        await self.access.access_changed(channel.guild)  # its threads may be seen now

    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        # Permission overwrites changed so the bot can see and post there again (as the bot
        # added back to a Slack channel, ``member_joined_channel``), or no longer can.
        bot_in = self.access.channel_reached(after, before)
        await self.access.describe_channel(after, self.now(), bot_in=bot_in)
        await self.access.access_changed(after.guild)  # its threads may be seen now

    async def on_thread_join(self, thread: discord.Thread) -> None:
        """The bot was added to a thread (THREAD_CREATE or THREAD_MEMBERS_UPDATE, no intent
        needed): a private one it was refused may be seen now."""
        await self.access.access_changed(thread.guild)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.access.channel_deleted(channel, self.now())

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """Raw: the post deleted is usually not cached, and its words aren't needed (nor read:
        no message content intent). One of the bot's open-question posts closes its question."""
        await self._deleted(payload.guild_id, payload.channel_id, [payload.message_id])

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await self._deleted(payload.guild_id, payload.channel_id, sorted(payload.message_ids))

    async def _deleted(self, guild_id: int | None, channel_id: int, message_ids: list[int]) -> None:
        guild = self.get_guild(guild_id) if guild_id is not None else None
        if guild is None:
            return  # a DM's message: no open question is ever posted there
        for message_id in message_ids:
            await self.core.handle(
                translate.post_deleted(guild, channel_id, message_id, now=self.now())
            )

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
        # A role's permissions changed: the channels it let the bot into (or shut it out of)
        # are told as ones the bot is back in (or out of: ``AccessTracker.describe_guild``), as
        # a channel's overwrites are.
        await self.access.describe_guild(after.guild, self.now())

    async def on_member_update(self, _before: discord.Member, after: discord.Member) -> None:
        """Without the members intent Discord sends GUILD_MEMBER_UPDATE only for the bot's own
        member ("regardless of whether the GUILD_MEMBERS intent is set"), and discord.py keeps
        that member cached: a role given to the bot (or taken, with its channel's deny
        overwrite) may let it back into channels."""
        me = after.guild.me
        if me is not None and after.id == me.id:
            await self.access.bot_roles_changed(after.guild, self.now())

    async def on_guild_role_delete(self, role: discord.Role) -> None:
        await self.access.describe_guild(role.guild, self.now())
