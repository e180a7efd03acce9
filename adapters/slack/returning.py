"""Someone back after a forget-me: their private channels re-learned from Slack, in the background.

While a person is forgotten, ``member_joined_channel`` about them stores nothing (ADR 0004,
"forgotten stays forgotten"). Once their own command, click or mention brings them back, the
channels they joined meanwhile would count for them only after someone next ran a command in
each: their answers missed what they may read there. So the core tells the adapter
(``ports.ReturnHeard``) and this asks Slack which private channels the bot shares with them
(``users.conversations``, ``types=private_channel``, ``user``: Slack lists a private channel
only where the bot is a member too, which is every channel whose narrations it holds). That
needs ``groups:read``, which the app has for ``conversations.info`` and ``conversations.members``
already: no new scope. Group DMs (``mpim``) would need ``mpim:read``, which it doesn't ask for:
a group DM still counts for them from their next command there, as before.

Slack's list is an answer from before its write: a leave (theirs, or the bot's removal) stored
while it was on its way would be undone by it, so once it is stored Slack is asked again and each
channel it no longer lists is taken back (``channels.unlearned``); channels the bot was removed
from are never stored (``repo.private_channels``).

A channel Slack lists that is stored as public was made private while the bot didn't hear of
it (the conversion's message needs the history scopes): re-learning skipped it, and its
narrations kept reaching the whole workspace. It is stored first as the conversion event
stores one (``WorkspaceEvents.found_private``): private, with the readers Slack lists.

In the background, after their answer: nobody waits for it. Every page goes through the
workspace's limiter (``SlackGateway.call``), which waits out a short 429; a long one, or any
failure, gives up with a log line and stores nothing: their channels then count from the next
command in each, as before, never wider.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError

from narrate_bot.app import Bot
from narrate_bot.events import TenantRef
from narrate_bot.features import channels

from .gateway import RateLimited, SlackGateway
from .refusals import error_code

log = logging.getLogger(__name__)
CONVERSATIONS_PAGE = 200  # Slack's advice for users.conversations (at most 999)
# Stores a channel Slack lists as private, with its readers (``WorkspaceEvents.found_private``).
FoundPrivate = Callable[[TenantRef, str], Awaitable[None]]


class ChannelsRelearned:
    """The Slack adapter's ``ReturnHeard``: one background task per person who came back."""

    def __init__(self, bot: Bot, gateway: SlackGateway, found_private: FoundPrivate) -> None:
        self.bot = bot
        self.gateway = gateway
        self.found_private = found_private
        self.tasks: set[asyncio.Task[None]] = set()

    def came_back(self, tenant: TenantRef, user_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._relearn(tenant, user_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settled(self) -> None:
        """Wait for every re-learning started so far (shutting down, or a test's next step)."""
        while self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    def cancel(self) -> None:
        """Stop the re-learning still running (shutting down past ``drain``'s timeout): the
        database may be disposed of next. Stopped before its write, it stores nothing; stopped
        between the write and the check, the write is committed and unchecked (as before the
        check: a leave told while the first list was on its way is undone by it)."""
        for task in self.tasks:
            task.cancel()

    async def _relearn(self, tenant: TenantRef, user_id: str) -> None:
        added: set[str] = set()
        try:
            listed = await self.private_channels(tenant, user_id)
            converted = await channels.stored_public(self.bot.db, tenant=tenant, channel_ids=listed)
            for channel_id in sorted(converted):
                await self.found_private(tenant, channel_id)
            added = await channels.relearned(
                self.bot.db, tenant=tenant, user_id=user_id, channel_ids=listed
            )
            if added:
                added = await self._checked(tenant, user_id, added)
        except RateLimited as limited:
            log.info(
                "slack: a returning person's channels in %s not re-learned: rate limited for %.0fs",
                tenant.tenant_id,
                limited.seconds,
            )
        except SlackApiError as error:
            log.warning(
                "slack: users.conversations failed in %s: %s",
                tenant.tenant_id,
                error_code(error) or "-",
            )
        except Exception as problem:  # noqa: BLE001 - in the background: nobody to raise to
            log.warning(
                "slack: a returning person's channels in %s not re-learned (%s)",
                tenant.tenant_id,
                type(problem).__name__,
            )
        else:
            log.info(
                "slack: %d private channel(s) re-learned for a returning person in %s",
                len(added),
                tenant.tenant_id,
            )

    async def _checked(self, tenant: TenantRef, user_id: str, added: set[str]) -> set[str]:
        """Ask Slack again once ``added`` is stored, and take back each channel it no longer
        lists. A leave (theirs, or the bot's) stored while the first list was on its way was
        undone by that list's write; Slack's second answer is computed after the write, so it
        leaves out every channel whose leave was stored before it, and a leave stored later
        removes them as it comes. The second answer failing takes back all of ``added``: never
        wider (the next command in each channel reads its readers). Returns what stays."""
        try:
            now = await self.private_channels(tenant, user_id)
        except Exception:
            await channels.unlearned(self.bot.db, tenant=tenant, user_id=user_id, channel_ids=added)
            raise
        await channels.unlearned(
            self.bot.db, tenant=tenant, user_id=user_id, channel_ids=added - now
        )
        return added & now

    async def private_channels(self, tenant: TenantRef, user_id: str) -> set[str]:
        """The private channels Slack says ``user_id`` and the bot are both in, page by page."""
        client = await self.gateway.client_for(tenant)
        # An org-wide token must name the workspace; a workspace token ignores it.
        team = None if tenant.tenant_id.startswith("E") else tenant.tenant_id
        found: set[str] = set()
        cursor: str | None = None
        while True:
            page = cursor
            response = await self.gateway.call(
                tenant.tenant_id,
                "users.conversations",
                lambda page=page: client.users_conversations(  # type: ignore[misc]
                    user=user_id,
                    types="private_channel",
                    limit=CONVERSATIONS_PAGE,
                    cursor=page,
                    team_id=team,
                ),
            )
            for channel in response.get("channels") or []:
                if isinstance(channel, dict) and channel.get("id"):
                    found.add(str(channel["id"]))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return found
