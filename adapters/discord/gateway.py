"""How the core speaks first on Discord: paced posts, threads for replies, careful DMs.

discord.py already honours per-route buckets and pauses every request during a global 429.
What it doesn't do is keep a pace of our own choosing or notice a pile of refused requests, so:

* every proactive send waits its turn (``post_interval_seconds``; new DMs ``dm_interval_seconds``),
  so a prompt to 200 channels is spread out instead of bursting into the 50 req/s global limit;
* 401/403/429 answers (except 429s of the ``shared`` scope, which Discord doesn't count) are
  counted over ten minutes; proactive posts slow down at half the budget and stop when it is
  spent, far below Discord's 10,000 ban threshold (``OutboundPaused``, its ``retry_after`` the
  time until enough refusals are ten minutes old);
* a DM goes only where the core sends it (people who opted in through an interaction); when
  the person refuses them (50007 "cannot send messages to this user", or another 403), they
  get no more DMs until they use the bot again, and a short pointer (``Post.pointer``, or
  ``DM_CLOSED``) goes to a channel with a mention: where they last used the bot (kept in the
  database, ``last_places``, so a restart still knows it) if the bot may post there and they
  may still view it, else the server's system channel if they can view it. Never the DM itself: an
  introduction's reason may name topics from private channels, and everyone in that channel
  would read it. A channel that refuses the pointer is not tried again for a while, so a retried
  post doesn't spend the invalid-request budget on it each time;
* 40003 ("you are opening direct messages too fast") is Discord throttling the bot, not the
  person's choice: nobody is put on the stop-list or told their DMs are closed. Opening DMs
  pauses bot-wide for ``DM_PAUSE`` and the post fails (``DmsPaused``, its ``retry_after`` what
  is left of the pause), so the scheduler retries it once the pause is over, not into it;
* a post pings only the people the core cites in it (``Post.names``, ``Post.to_users``), not
  someone a quoted narration mentions, and never @everyone, @here or a role;
* a post to several people is one DM each: when one of them fails (a 5xx, a timeout), the post
  still fails so the scheduler retries it, but the gateway remembers who already has it, and the
  retry goes only to the others (``Delivered``; in memory, like the DM stop-list). When some
  have it, the failure is ``PartlyPosted`` (its cause the failure): the core keeps who with the
  send, so a retry after a restart or on another replica skips them too, and an introduction
  some of its people got counts as delivered. Whom nothing reaches (DMs closed, no channel
  takes the pointer) is told apart (``PartlyPosted.unreachable``, also once the post is done;
  ``NobodyReached`` when that is everyone it was still for: nothing is left to try). Only a
  reason that lasts counts: a pointer kept back by one that may pass (the server not cached
  yet, a 5xx or 429 on looking the person up) is ``NotPosted``, and the post is tried again;
  one refused for good (an unknown user) doesn't keep the others from being tried;
* every message goes with a nonce made from a token of its own delivery (``once.py``; kept with
  ``Delivered`` while a failed post may be retried): a 5xx or a dropped connection, after which
  it may exist, is sent again with it within seconds, and Discord answers with the message it
  made instead of making a second one. The same words posted again later are a new message.
  While it is tried again, only the next message to its channel waits (its order); every other
  delivery keeps its pace (``send_once``'s ``turns``). So for edits, deletes and threads opened
  or archived (``Pacer.turn``): discord.py's own retries of a 5xx hold back only a later change
  of the same message or thread.

Before the weekly introductions it also re-reads the participants' roles (``refresh_access``):
without the members intent nothing else tells us someone lost a role or left (see access.py).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord

from narrate_bot.config import DiscordSettings
from narrate_bot.events import ChannelKind, Platform, TenantRef
from narrate_bot.ports import (
    CannotDelete,
    CannotEdit,
    CannotPostThere,
    NotPosted,
    PartlyPosted,
    PermissionsMissing,
    RetryLater,
    ThreadStayed,
)
from narrate_bot.replies import Attachment, Button, Post
from narrate_bot.storage import last_places
from narrate_bot.storage.database import Database

from .access import AccessTracker
from .kept import KeptButtons
from .once import InOrder, nonce, send_once
from .render import QUIET, Outgoing, messages, only, spread, thread_name

log = logging.getLogger(__name__)

# Who can let the bot post in a channel it may not see or post in, in Discord's terms.
HOW_TO_ADD = (
    "Someone who manages the server can let me view the channel and send messages there "
    "(its permissions)."
)
# Who can grant the permissions the bot lacks in a channel (``PermissionsMissing``).
HOW_TO_GRANT = (
    "Someone who manages the server can allow them for me in the channel's permissions "
    "(Edit Channel → Permissions)."
)
# Who can let the bot open a thread on a prompt that has none (its own Create Public Threads).
HOW_TO_THREAD = (
    "Someone who manages the server can allow me Create Public Threads in the channel's "
    "permissions (Edit Channel → Permissions)."
)
# A thread that was never opened (or was deleted) answers a message sent to it with this.
UNKNOWN_CHANNEL = 10003
# "Operation cannot be performed on an archived thread": an edit of a message in a thread that
# archived itself after a day without messages (``auto_archive_duration``).
THREAD_ARCHIVED = 50083
# "A thread has already been created for this message": opened meanwhile, by another try.
THREAD_EXISTS = 160004
# A prompt's thread opened late (see ``_open_missing_thread``) is titled like the prompt.
LATE_THREAD_TITLE = "Time to work out loud"
WINDOW_SECONDS = 600.0
# "Cannot send messages to this user": the person's own settings (DMs from this server closed).
DM_REFUSED = 50007
# "You are opening direct messages too fast": Discord throttles the bot as a whole.
DM_THROTTLED = 40003
# How long no DM is opened after a 40003. Discord publishes no figure; it is shorter than the
# scheduler's retries of one send (1 + 2 + 4 minutes), so each send still gets a try after it.
DM_PAUSE = timedelta(minutes=5)
# A post to more people than this is a broadcast, not an introduction: Discord forbids mass DMs.
MAX_DM_RECIPIENTS = 8
# Once half the invalid-request budget is spent, proactive sends go this many times slower.
SLOWDOWN = 4.0
# How long who-already-has-it is kept for a post that failed part-way: longer than the scheduler
# keeps retrying a send (its grace, 120 minutes by default, after which the send is skipped).
REMEMBER_DELIVERED = timedelta(hours=3)
# How long a channel that refused a pointer (403) is left alone: also past the scheduler's retries.
REMEMBER_REFUSED = timedelta(hours=3)
# Said in a channel instead of a refused DM the core gave no pointer for (as in conversation.py).
DM_CLOSED = (
    "I have a message for you, but I couldn't send it as a DM (your DMs from this server are "
    "closed). Slash commands answer privately: try /narrate."
)


# A thread's title once its post was deleted and the bot may not delete the thread itself.
REMOVED_THREAD = "(removed)"
_USER_MENTION = re.compile(r"<@!?(\d+)>")  # a person, as the core's post text names them


class _ThreadMissing(Exception):  # noqa: N818 - a signal inside the gateway
    """A post's thread is unknown to Discord: it was never opened (``_post_in_channel``)."""


class OutboundPaused(NotPosted, RuntimeError):
    """Raised instead of posting while too many requests were refused recently: nothing was
    posted, so a try later (the follow digest's retry) can't post twice."""


class DmsPaused(OutboundPaused):
    """Raised instead of opening a DM while Discord throttles the bot's DMs (40003), its
    ``retry_after`` what is left of the pause: a retry sooner would only be paused again."""


class NobodyReached(PartlyPosted, RuntimeError):
    """A post to people of whom nothing reached anyone it was still for (DMs closed, no channel
    took the pointer): done, as far as it can be; a retry would reach nobody either. Only for
    reasons that last: a pointer kept from them by one that may pass is ``NotPosted`` instead
    (``_fallback``)."""

    def __init__(self, unreachable: Sequence[str]) -> None:
        super().__init__((), None, unreachable)
        self.args = ("nobody could be reached, in a DM or in a channel",)


class InvalidRequestBudget:
    """Counts refused requests (what Discord's Cloudflare ban counts) in a sliding window."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._times: deque[float] = deque()
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_end.append(self._on_request_end)

    async def _on_request_end(
        self, _session: aiohttp.ClientSession, _ctx: SimpleNamespace, params: Any
    ) -> None:
        response: aiohttp.ClientResponse = params.response
        self.observe(response.status, response.headers.get("X-RateLimit-Scope"))

    def observe(self, status: int, scope: str | None = None) -> None:
        if status in (401, 403) or (status == 429 and scope != "shared"):
            self._times.append(self.clock())

    @property
    def spent(self) -> int:
        horizon = self.clock() - WINDOW_SECONDS
        while self._times and self._times[0] <= horizon:  # ten minutes old: out, as ``check`` says
            self._times.popleft()
        return len(self._times)

    @property
    def strained(self) -> bool:
        """Half the budget is gone: time to slow down before it runs out."""
        return self.spent * 2 >= self.limit

    def check(self) -> None:
        """Raise ``OutboundPaused`` while the budget is spent, its ``retry_after`` the seconds
        until enough refusals have left the window for posting to go on: a retry sooner (the
        scheduler's 1, 2, 4 minutes) would spend its tries inside the pause."""
        spent = self.spent
        if spent >= self.limit:
            freed = self._times[spent - self.limit] + WINDOW_SECONDS  # then one fewer is spent
            raise OutboundPaused(
                f"{spent} Discord requests were refused in the last ten minutes; "
                "posting is paused until that drops (check the bot's permissions and token)",
                retry_after=max(freed - self.clock(), 0.0),
            )


def _partly(post: Post, done: dict[str, str | None]) -> PartlyPosted:
    """Who of ``post``'s people has it (a message) and whom nothing reached (``None``)."""
    have = [u for u in post.to_users if done.get(u) is not None]
    unreachable = [u for u in post.to_users if u in done and done[u] is None]
    first = next((done[u] for u in have), None)
    return PartlyPosted(have, first, unreachable)


class Delivered:
    """Who already has each post that failed part-way, so its retry skips them, and the nonce
    token it was sent with, so its retry sends again what may already exist under that token.

    The scheduler retries a failed send with the same ``Post``, so the post itself (its guild,
    text, recipients, buttons) is the key. Only failures are kept, and only until the post
    completes or ``keep`` passes: a later post with the same words to the same place (a daily
    reminder, a question asked again after its withdrawal, a second "thanks") is a new post,
    with a new token, and goes out in full. Its nonces can't be derived from its words alone:
    Discord would answer a new post with the earlier message (deleted, maybe) and make none.
    """

    def __init__(self, keep: timedelta = REMEMBER_DELIVERED) -> None:
        self.keep = keep
        # post key -> (when it first failed, {recipient: their message, or None}, its token)
        self._partial: dict[str, tuple[datetime, dict[str, str | None], str]] = {}

    @staticmethod
    def key(guild_id: int, post: Post) -> str:
        return hashlib.sha256(f"{guild_id}:{post.model_dump_json()}".encode()).hexdigest()

    def of(self, key: str, now: datetime) -> tuple[dict[str, str | None], str]:
        """The recipients who already have this post, and the token its messages were sent
        with; a fresh, empty record with a new token when it never failed (or long ago)."""
        for old, (since, _, _) in list(self._partial.items()):
            if now - since > self.keep:
                del self._partial[old]
        found = self._partial.get(key)
        if found is None:
            return {}, secrets.token_hex(6)
        return dict(found[1]), found[2]

    def token(self, post: Post, key: str, now: datetime) -> tuple[dict[str, str | None], str]:
        """``of``, with the core's own name of the delivery as its token where it has one
        (``Post.delivery``: a scheduled send, a digest's week), which outlives this process."""
        done, token = self.of(key, now)
        return done, post.delivery or token

    def failed(self, key: str, now: datetime, done: dict[str, str | None], token: str) -> None:
        """Keep the token also when nobody has it yet: a failure after which a message may
        exist is retried with the same nonces, and Discord answers with that message."""
        since = self._partial.get(key, (now, {}, token))[0]
        self._partial[key] = (since, done, token)

    def completed(self, key: str) -> None:
        self._partial.pop(key, None)


class Pacer:
    """One send at a time, their starts at least ``interval`` seconds apart; a message sent
    with ``send_once`` only starts in its turn (``start``), and keeps its channel's order
    (``in_order``) instead of everyone's while it is tried again."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = asyncio.Lock()
        self._last = float("-inf")
        self._order = InOrder()

    async def start(self) -> None:
        async with self:
            pass

    def in_order(self, channel_id: object) -> AbstractAsyncContextManager[None]:
        return self._order.of(channel_id)

    @asynccontextmanager
    async def turn(self, key: object) -> AsyncIterator[None]:
        """One request (an edit, a delete, a thread opened or archived) in its turn of the
        pace, holding only ``key``'s order while it runs, not everyone's turn: discord.py tries
        a 500 again itself (about 25 s a try), and held inside the pace such a request stalled
        every other delivery meanwhile, as a resent message did (``send_once``). ``key`` is the
        message or thread it changes, so a later change of it still lands after this one."""
        async with self.in_order(key):
            await self.start()
            yield

    async def __aenter__(self) -> None:
        await self._lock.acquire()
        loop = asyncio.get_running_loop()
        wait = self._last + self.interval - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last = loop.time()

    async def __aexit__(self, *_exc: object) -> None:
        self._lock.release()


class DiscordGateway:
    """The core's ``ChatGateway`` on Discord; also delivers DM replies for interactions."""

    def __init__(
        self,
        client: discord.Client,
        settings: DiscordSettings,
        budget: InvalidRequestBudget,
        access: AccessTracker,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        kept: KeptButtons | None = None,
        db: Database | None = None,
    ) -> None:
        self.client = client
        # Where each person's last channel is kept (``last_places``); ``None`` for a stand-in
        # core that keeps nothing (then only this process's memory knows it).
        self.db = db
        self.access = access
        self.now = now
        # Where button commands too long for a custom_id are kept (the database).
        self.kept = kept or KeptButtons(None, now)
        self.budget = budget
        self.settings = settings
        self.posts = Pacer(settings.post_interval_seconds)
        self.dms = Pacer(settings.dm_interval_seconds)
        # (guild id, user id) Discord refused a DM to: no DM is tried until they use the bot
        # again (they may have opened their DMs meanwhile; a restart also tries once more).
        self.dm_closed: set[tuple[int, int]] = set()
        # Where each person last used the bot, per guild, among the channels the bot may post
        # in: the fallback when a DM is refused. Kept in the database too (``last_places``),
        # which is read first: it outlives a restart, and a forget-me erases it there.
        self.last_channel: dict[tuple[int, int], int] = {}
        # Channels that refused a pointer (403) despite what the cache said, and since when.
        self.refused_channels: dict[int, datetime] = {}
        # No DM is opened before this (Discord said 40003, "opening DMs too fast").
        self.dms_paused_until: datetime | None = None
        self.delivered = Delivered()

    def seen(self, guild_id: int, user_id: int, channel_id: int | None) -> None:
        """The person used the bot: the fallback channel follows them, and DMs are worth a try
        again. Someone who keeps them closed costs one refused request per use at most.

        Slash commands work in channels the bot can't post in (a private channel it wasn't
        added to), so only a channel it may send to is remembered; otherwise the previous one
        (or the system channel) stays the fallback. ``keep_seen`` keeps it past a restart."""
        if channel_id is not None and self._can_post(self.client.get_guild(guild_id), channel_id):
            self.last_channel[(guild_id, user_id)] = channel_id
        self.dm_closed.discard((guild_id, user_id))

    async def keep_seen(self, guild_id: int, user_id: int, channel_id: int | None) -> None:
        """``seen``'s channel, kept in the database so a restart still knows it: called once
        the core has handled the use (its workspace is stored by then), and not for a use that
        leaves someone forgotten as they are (asking what is kept, or to be forgotten), nor a
        reply not addressed to the bot. Only a channel ``seen`` remembered (the bot may post
        there). Read first at every use, not only when this process saw the channel change:
        what it wrote last may be gone (a forget-me erased it, another replica kept another
        channel since); written only when the row is missing or names another channel, so a
        use in the same channel again takes no write transaction (on SQLite a ``BEGIN
        IMMEDIATE`` ahead of the reply). A failed read writes; a failed write is logged:
        nothing waits on it."""
        if channel_id is None or self.db is None:
            return
        if self.last_channel.get((guild_id, user_id)) != channel_id:
            return
        try:
            if await self._stored_last(guild_id, user_id) == str(channel_id):
                return
        except Exception as problem:
            log.info("reading where someone used the bot failed: %s", type(problem).__name__)
        try:
            async with self.db.transaction() as session:
                await last_places.keep(
                    session,
                    platform=Platform.DISCORD.value,
                    external_id=str(guild_id),
                    user_id=str(user_id),
                    channel_id=str(channel_id),
                    at=self.now(),
                )
        except Exception as problem:
            log.warning("keeping where someone used the bot failed: %s", type(problem).__name__)

    async def _stored_last(self, guild_id: int, user_id: int) -> str | None:
        """The channel the database keeps as where the person last used the bot; raises what
        the read raised (each caller decides what a failed read means)."""
        assert self.db is not None
        async with self.db.snapshot() as session:
            return await last_places.last(
                session,
                platform=Platform.DISCORD.value,
                external_id=str(guild_id),
                user_id=str(user_id),
            )

    async def _last(self, guild_id: int, user_id: int) -> int | None:
        """Where the person last used the bot: as the database has it (a forget-me erased it
        there), else as this process remembers it (no database, or it failed to say)."""
        if self.db is not None:
            try:
                kept = await self._stored_last(guild_id, user_id)
                return int(kept) if kept is not None and kept.isdigit() else None
            except Exception as problem:
                log.info("reading where someone used the bot failed: %s", type(problem).__name__)
        return self.last_channel.get((guild_id, user_id))

    async def _forget_last(self, guild_id: int, user_id: int, channel_id: int) -> None:
        """Their last channel refused the pointer: not tried again, unless they use it again."""
        if self.last_channel.get((guild_id, user_id)) == channel_id:
            del self.last_channel[(guild_id, user_id)]
        if self.db is None:
            return
        try:
            async with self.db.transaction() as session:
                await last_places.drop(
                    session,
                    platform=Platform.DISCORD.value,
                    external_id=str(guild_id),
                    user_id=str(user_id),
                    channel_id=str(channel_id),
                )
        except Exception as problem:
            log.info("forgetting a refused last channel failed: %s", type(problem).__name__)

    def readers_kept_while_out(self) -> bool:
        """The core's ``ReadersKeptWhileOut``: access follows roles and overwrites, which
        Discord sends whether the bot is in a channel or not, so readers stored while it was
        out are as current as any."""
        return True

    async def refresh_access(self, tenant: TenantRef, user_ids: Sequence[str]) -> None:
        """The core's ``AccessRefresher``: correct these people's private-channel access."""
        guild = self.client.get_guild(int(tenant.tenant_id))
        if guild is None:
            raise LookupError(f"guild {tenant.tenant_id} isn't available to re-check access in")
        await self.access.recheck(guild, [int(u) for u in user_ids], self.now())

    async def how_to_add(self, tenant: TenantRef, channel_id: str) -> PermissionsMissing | None:
        """The core's ``ChannelPresence``: the permissions the bot lacks in ``channel_id`` (so
        a question could never be posted there); ``None`` when it has them, or when the server
        or the bot's member isn't cached (nothing can be said then, and a wrong warning is
        worse than none).

        Asked when an admin chooses the channel, so the channel is fetched afresh: the cache
        lags (an overwrite changed a moment ago, a send just refused), and the warning is the
        admin's one chance to hear of it. A refusal remembered for DM pointers is dropped when
        the channel turns out fine."""
        guild = self.client.get_guild(int(tenant.tenant_id))
        if guild is None or guild.me is None or not channel_id.isdigit():
            return None
        try:
            channel: object = await guild.fetch_channel(int(channel_id))
        except discord.Forbidden:
            channel = None  # Discord hides a channel the bot may not view
        except (discord.HTTPException, discord.InvalidData) as problem:
            log.info("couldn't fetch channel %s afresh: %s", channel_id, _status(problem))
            channel = guild.get_channel_or_thread(int(channel_id))
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return PermissionsMissing(("View Channel", "Send Messages"), HOW_TO_GRANT)
        try:
            perms = channel.permissions_for(guild.me)
        except discord.ClientException:  # a thread whose parent isn't cached: can't tell
            return None
        needs = [("View Channel", perms.view_channel)]
        if isinstance(channel, discord.Thread):
            needs.append(("Send Messages in Threads", perms.send_messages_in_threads))
        else:
            needs.append(("Send Messages", perms.send_messages))
        missing = tuple(name for name, allowed in needs if not allowed)
        if not missing:
            self.refused_channels.pop(int(channel_id), None)
            return None
        return PermissionsMissing(missing, HOW_TO_GRANT)

    async def hears_replies(self, tenant: TenantRef, kind: ChannelKind) -> bool:
        """Whether Discord gives us a plain reply there: thread text only with the Message
        Content intent (off by default, ``NARRATE_DISCORD__MESSAGE_CONTENT``), and a DM never
        (the bot listens to servers only). Elsewhere a post points to its button."""
        del tenant  # one setting for every server
        return kind != ChannelKind.DIRECT and self.settings.message_content

    async def post(self, tenant: TenantRef, post: Post) -> str:
        self.budget.check()
        slow = SLOWDOWN if self.budget.strained else 1.0
        self.posts.interval = self.settings.post_interval_seconds * slow
        self.dms.interval = self.settings.dm_interval_seconds * slow
        guild_id = int(tenant.tenant_id)
        if post.channel_id is not None:
            return await self._post_in_channel(guild_id, post)
        parts = messages(self._from_server(guild_id, post.text, tenant.name), post.buttons)
        if len(post.to_users) > MAX_DM_RECIPIENTS:
            raise ValueError(
                f"a DM post to {len(post.to_users)} people; post it in a channel instead "
                f"(at most {MAX_DM_RECIPIENTS} recipients: no mass DMs on Discord)"
            )
        return await self._post_to_people(guild_id, post, parts)

    def fits_one_message(self, tenant: TenantRef, post: Post) -> bool:
        """The core's ``OneMessage``: whether ``post`` goes out as one Discord message (up to
        4,096 characters as an embed; a DM headed with its server, like every DM)."""
        text = post.text
        if post.channel_id is None:
            text = self._from_server(int(tenant.tenant_id), text, tenant.name)
        return len(messages(text, post.buttons)) == 1

    async def update(self, tenant: TenantRef, message_id: str, post: Post) -> None:
        """The core's ``ChatGateway.update``: edit the bot's own message, in the thread it was
        posted in (a thread is a channel whose id is its first message's), pinging nobody new.
        Only its first message is edited (the core keeps such posts within one), unless
        ``message_id`` names several (``post_id``: an answer split in several), each edited.

        A DM (``post.to_users``: a followed-topics digest, one message) is edited in the DM,
        headed with its server as it was sent (``_from_server``). One that isn't there (the
        person couldn't be sent a DM, and got a pointer in a channel instead, which quotes
        nothing) is done: nothing shows the old text, as is a message gone (404). Discord's 403
        (Missing Access/Permissions: the bot can no longer see the channel, or may not send
        there) is raised as ``CannotEdit``: it stays until someone changes something."""
        self.budget.check()
        try:
            await self._update(tenant, message_id, post)
        except discord.NotFound:
            log.debug("a post to edit in server %s was gone already", tenant.tenant_id)
        except discord.Forbidden as problem:
            log.info("a post in server %s can't be edited: %s", tenant.tenant_id, _status(problem))
            raise CannotEdit(_status(problem)) from problem

    async def _update(self, tenant: TenantRef, message_id: str, post: Post) -> None:
        if post.channel_id is None:
            await self._update_dm(tenant, message_id, post)
            return
        where = self.client.get_partial_messageable(
            int(post.thread_of or post.channel_id), guild_id=int(tenant.tenant_id)
        )
        for one, part in _parts(message_id, post.text, post.buttons):

            async def edit(one: str = one, part: Outgoing = part) -> None:
                async with self.posts.turn(int(one)):
                    await _edit_part(where.get_partial_message(int(one)), part, post)

            try:
                await self._in_thread(post.thread_of, edit)
            except discord.NotFound:  # this part deleted (by a moderator): the others still
                log.debug("a part of a post to edit in server %s was gone", tenant.tenant_id)

    async def find_post(self, tenant: TenantRef, post: Post, *, known: Sequence[str]) -> str | None:
        """The core's ``PostFinder``: the thread's last 100 messages (the bot may read its own
        without the Message Content intent), the oldest of the bot's that begins with
        ``post``'s first line and isn't ``known``. An update post lost this way is minutes old,
        so 100 messages reach it in all but the busiest thread."""
        del tenant
        assert post.thread_of is not None
        self.budget.check()
        me = self.client.user
        if me is None:
            raise LookupError("not logged in to Discord yet")
        first_line = post.text.split("\n", 1)[0]
        async with self.posts.turn(int(post.thread_of)):
            found = await self.client.http.logs_from(int(post.thread_of), 100)
        mine = [
            int(m["id"])
            for m in found
            if str(m["author"]["id"]) == str(me.id)
            and str(m.get("content") or "").startswith(first_line)
            and str(m["id"]) not in known
        ]
        return str(min(mine)) if mine else None

    async def _update_dm(self, tenant: TenantRef, message_id: str, post: Post) -> None:
        guild_id = int(tenant.tenant_id)
        text = self._from_server(guild_id, post.text, tenant.name)
        parts = _parts(message_id, text, post.buttons)
        for user_id in post.to_users:
            async with self.dms:
                channel = await self.client.create_dm(discord.Object(id=int(user_id)))
            found = False
            for one, part in parts:
                try:
                    async with self.posts.turn(int(one)):
                        await _edit_part(channel.get_partial_message(int(one)), part, post)
                    found = True
                except discord.NotFound:
                    log.debug("a DM to edit in server %s isn't there", guild_id)
            if found:
                return  # the message is in one DM: the first recipient's (``_post_to_people``)

    async def _in_thread(
        self, thread_of: str | None, change: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``change`` on a message in thread ``thread_of``; when Discord refuses it because
        the thread archived itself (a day without messages), open the thread, change it, and
        archive it again: an edit of yesterday's update neither fails nor brings yesterday's
        thread back to the channel's active list. A thread the bot may not open (locked) raises,
        and the person is told the post is unchanged."""
        try:
            await change()
            return
        except discord.HTTPException as problem:
            if thread_of is None or problem.code != THREAD_ARCHIVED:
                raise
        thread = int(thread_of)
        async with self.posts.turn(thread):
            await self.client.http.edit_channel(thread, archived=False)
        try:
            await change()
        finally:
            try:
                async with self.posts.turn(thread):
                    await self.client.http.edit_channel(thread, archived=True)
            except discord.HTTPException as problem:  # it archives itself again in a day
                log.info("a thread opened for an edit stays open: %s", _status(problem))

    async def delete(
        self, tenant: TenantRef, channel_id: str, message_id: str, *, thread_of: str | None = None
    ) -> None:
        """The core's ``ChatGateway.delete``: the message, then the thread ``post`` opened on
        it. Deleting a thread's first message leaves the thread, titled with the post's words
        (an open question's names its asker), so the thread goes too; that takes Manage
        Threads, which the bot isn't invited with, so without it the thread is renamed to
        ``REMOVED_THREAD`` and archived (a thread's creator may do both) instead.

        A message or thread already gone (404) is done. A message that stays raises, so the person
        the post named is told it stayed (``CannotDelete`` when Discord refuses it, 403: the bot can
        no longer see the channel, or may not delete there); a thread that stays (neither deleted
        nor renamed) raises ``ThreadStayed``, so they are told that the post went and its thread,
        titled with their words, did not. Once renamed, the thread repeats none of them: an
        archiving refused then is only logged. Its replies go with a deleted thread, as on Discord.

        A post in a thread (``thread_of``) is deleted there, and opened no thread of its own;
        a thread archived meanwhile is opened for it and archived again (``_in_thread``)."""

        async def delete() -> None:
            async with self.posts.turn(int(message_id)):
                await self.client.http.delete_message(int(thread_of or channel_id), int(message_id))

        try:
            await self._in_thread(thread_of, delete)
        except discord.NotFound:
            log.debug("a post to delete in channel %s was gone already", channel_id)
        except discord.Forbidden as problem:  # Missing Access/Permissions: until someone acts
            log.info("a post in channel %s can't be deleted: %s", channel_id, _status(problem))
            raise CannotDelete(_status(problem)) from problem
        if thread_of is not None:
            return
        try:
            renamed = await self._remove_thread(int(tenant.tenant_id), int(channel_id), message_id)
        except Exception as problem:
            log.warning(
                "a deleted post's thread in channel %s stays: %s", channel_id, _status(problem)
            )
            raise ThreadStayed() from problem
        if not renamed:
            return
        try:
            async with self.posts.turn(int(message_id)):
                await self.client.http.edit_channel(int(message_id), archived=True)
        except Exception as problem:  # renamed already: nothing of the post's words is left
            log.warning(
                "a renamed thread in channel %s stays unarchived: %s", channel_id, _status(problem)
            )

    async def _remove_thread(self, guild_id: int, channel_id: int, message_id: str) -> bool:
        """Delete the thread opened on a post whose message is deleted, or rename it to
        ``REMOVED_THREAD`` without Manage Threads; ``True`` when it was renamed (and is still to
        be archived), ``False`` when it is gone. Raises when it stays as it was."""
        # A channel post's thread has the message's id (ids are unique across Discord's
        # objects, so it is that thread or nothing); a post in a thread opened none.
        thread = int(message_id)
        if self._may_manage_threads(guild_id, channel_id) is not False:
            try:
                async with self.posts.turn(thread):
                    await self.client.http.delete_channel(thread)
                return False
            except discord.NotFound:
                return False  # no thread was opened, or it is gone already
            except discord.Forbidden:
                pass  # the cache didn't know: rename it, as below
        log.info("no Manage Threads in channel %s: renaming a deleted post's thread", channel_id)
        try:
            async with self.posts.turn(thread):
                await self.client.http.edit_channel(thread, name=REMOVED_THREAD, archived=False)
        except discord.NotFound:
            return False
        return True

    def _may_manage_threads(self, guild_id: int, channel_id: int) -> bool | None:
        """Whether the bot may delete threads in that channel, as the cache says; ``None`` when
        it doesn't know. Asked first, so a bot without the permission (as it is invited) goes
        straight to renaming and spends no refused request of the budget on trying."""
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if guild is None or guild.me is None or channel is None:
            return None
        return channel.permissions_for(guild.me).manage_threads

    def _from_server(self, guild_id: int, text: str, known_as: str = "") -> str:
        """A DM's text, headed by the server it comes from. Every server the bot is in shares
        one DM conversation with a person: without it, "Introduction #1" from two servers reads
        as one, and its numbers (typed in the server they belong to) as the wrong server's. A
        bot in one server only has nothing to tell apart, and says nothing more."""
        if len(self.client.guilds) < 2:
            return text
        guild = self.client.get_guild(guild_id)
        name = (guild.name if guild is not None else "") or known_as
        if not name.strip():
            return text
        name = discord.utils.escape_mentions(discord.utils.escape_markdown(name.strip()))
        return f"From the **{name}** server:\n{text}"

    async def _post_to_people(self, guild_id: int, post: Post, parts: list[Outgoing]) -> str:
        """One DM per recipient (or their channel pointer). When one fails, the post fails and
        the scheduler retries it; those who already have it are skipped on that retry. Once
        someone has it, the failure is ``PartlyPosted``, saying who has it and whom nothing
        could reach. One refused for good (an unknown user: ``CannotPostThere``) doesn't stop
        the others being tried: the refusal is raised once they were, as ``PartlyPosted``'s
        cause where someone was handled. Nor does a pointer held back for a reason that passes
        (``_fallback``'s ``NotPosted``: nothing was posted to that person): it is raised the
        same way, ahead of a refusal, so the post is tried again for them; whoever was refused
        for good is then told as unreachable, so that retry isn't for them, as when another's
        DM raises (a 5xx, a 429, a DM pause). A post that reached everyone it could, but not
        everyone, is ``PartlyPosted`` without a cause."""
        key = Delivered.key(guild_id, post)
        done, token = self.delivered.token(post, key, self.now())
        if done:
            log.info("a retried post goes to the %d of its people who don't have it yet",
                     len(post.to_users) - len(done))  # fmt: skip
        refused: CannotPostThere | None = None  # the first recipient refused for good
        refusals: list[str] = []  # everyone refused for good
        held: NotPosted | None = None  # the first whose pointer waits for a passing reason
        for user_id in post.to_users:
            if user_id in done:
                continue
            try:
                sent = await self._dm(
                    guild_id, int(user_id), parts, mentions=_cited(post), once=token
                )
                if sent is None:
                    try:
                        sent = await self._fallback(guild_id, int(user_id), post, token)
                    except NotPosted as problem:
                        # Theirs only (the server not described yet, Discord failing to say
                        # who they are): the others' DMs need neither.
                        held = held or problem
                        continue
            except CannotPostThere as problem:
                refused = refused or problem  # theirs only: the others are still tried
                refusals.append(user_id)
                continue
            except BaseException as problem:
                if isinstance(problem, Exception):  # refused for good: not the retry's either
                    done.update(dict.fromkeys(refusals))
                self.delivered.failed(key, self.now(), done, token)
                limited = _told_to_wait(problem)  # a later part's 429, as the core reads it
                if done and isinstance(problem, Exception):
                    # Some have it: the core keeps who, beyond this process, and counts it out.
                    raise _partly(post, done) from limited or problem
                if limited is not None:
                    raise limited from problem
                raise
            done[user_id] = None if sent is None else str(sent.id)
        if held is not None:
            # The post is tried again for whose pointer waits, but not for whom Discord
            # refused for good: a retry would only be refused again, up to the last attempt.
            done.update(dict.fromkeys(refusals))
        for failure in (held, refused):  # held first: a retry may yet reach that person
            if failure is None:
                continue
            self.delivered.failed(key, self.now(), done, token)
            if done:
                raise _partly(post, done) from failure
            raise failure
        self.delivered.completed(key)
        partly = _partly(post, done)
        if partly.message_id is None:
            raise NobodyReached(partly.unreachable)
        if partly.unreachable:
            raise partly  # done, as far as it can be: the core learns who it missed
        return partly.message_id

    async def _post_in_channel(self, guild_id: int, post: Post) -> str:
        """A post in a channel, or in the thread of ``post.thread_of`` there. A prompt whose
        thread never opened (the bot lacked Create Public Threads then, or Discord failed) has
        no thread to post in, which Discord answers as an unknown channel: the thread is
        opened on the prompt now, and the post sent there. Only a thread that can't be opened
        is refused, as ``NO_THREAD``, never as "not in the channel"."""
        key = Delivered.key(guild_id, post)
        _, token = self.delivered.token(post, key, self.now())  # a retry reuses its nonces
        try:
            try:
                first = await self._send_in_channel(
                    guild_id, post, token, missing_thread=post.thread_of
                )
            except _ThreadMissing:
                await self._open_missing_thread(post)
                first = await self._send_in_channel(guild_id, post, token, missing_thread=None)
        except BaseException as problem:
            self.delivered.failed(key, self.now(), {}, token)
            limited = _told_to_wait(problem)  # a later part's 429, as the core reads it
            if limited is not None:
                raise limited from problem
            raise
        self.delivered.completed(key)
        return first

    async def _open_missing_thread(self, post: Post) -> None:
        assert post.channel_id is not None and post.thread_of is not None
        try:
            async with self.posts.turn(int(post.thread_of)):
                await self.client.http.start_thread_with_message(
                    int(post.channel_id),
                    int(post.thread_of),
                    name=thread_name(LATE_THREAD_TITLE),
                    auto_archive_duration=1440,
                )
        except discord.Forbidden as problem:
            raise CannotPostThere(CannotPostThere.NO_THREAD, how_to_add=HOW_TO_THREAD) from problem
        except discord.NotFound as problem:  # the prompt itself was deleted
            raise CannotPostThere(CannotPostThere.NO_THREAD) from problem
        except discord.HTTPException as problem:
            if problem.code == THREAD_EXISTS:
                return  # opened meanwhile: post in it
            if problem.status >= 500:
                raise
            raise NotPosted(_status(problem)) from problem
        log.info("opened the missing thread of a prompt in channel %s", post.channel_id)

    async def _send_in_channel(
        self, guild_id: int, post: Post, token: str, *, missing_thread: str | None
    ) -> str:
        """Send ``post``'s messages, their nonces made from ``token``; ``_ThreadMissing`` when
        ``missing_thread`` is set and Discord says that thread is unknown before anything went
        out."""
        assert post.channel_id is not None
        target = post.thread_of or post.channel_id
        channel = self.client.get_partial_messageable(int(target), guild_id=guild_id)
        first: discord.Message | None = None
        for index, part in enumerate(messages(post.text, post.buttons)):
            # A post in a channel is for everyone there: its buttons are anyone's to click.
            part = await self.kept.prepare(part, guild_id=guild_id, owner=None, in_dm=False)
            try:
                sent = await send_once(
                    channel,
                    nonce(token, target, index),
                    functools.partial(part.kwargs, mentions=_cited(post)),
                    turns=self.posts,
                )
            except (discord.Forbidden, discord.NotFound) as problem:
                if first is not None:
                    raise  # a later part: the post is out, and half of it is no answer
                if (
                    missing_thread is not None
                    and isinstance(problem, discord.NotFound)
                    and problem.code == UNKNOWN_CHANNEL
                ):
                    raise _ThreadMissing from problem
                # Missing access or permissions, or the channel is gone: not for a retry.
                raise CannotPostThere(CannotPostThere.NOT_IN_IT, how_to_add=HOW_TO_ADD) from problem
            except discord.RateLimited as problem:  # longer than ``max_ratelimit_timeout``
                if first is not None:
                    raise
                raise _limited(problem) from problem
            except discord.HTTPException as problem:
                if first is not None or problem.status >= 500:
                    raise  # a server error may come after the message was made
                # Discord answered and made nothing (a limit, a bad request): a try later
                # can't post it twice.
                raise NotPosted(_status(problem), retry_after=_asked(problem)) from problem
            first = first or sent
        assert first is not None
        if post.thread_of is None:
            await self._open_thread(first, _titled(post))
        return str(first.id)

    async def _open_thread(self, message: discord.Message, text: str) -> None:
        """Replies to a prompt go in its thread; the thread's id is the message's id."""
        try:
            async with self.posts.turn(message.id):
                await self.client.http.start_thread_with_message(
                    message.channel.id,
                    message.id,
                    name=thread_name(text),
                    auto_archive_duration=1440,
                )
        except discord.HTTPException as problem:
            log.warning("no thread on a post in channel %s: %s", message.channel.id, problem.status)

    async def send_dm(
        self,
        guild_id: int,
        user_id: int,
        text: str,
        buttons: tuple[Button, ...] = (),
        attachment: Attachment | None = None,
        *,
        mentions: discord.AllowedMentions = QUIET,
        once: str | None = None,
        sent: list[discord.Message] | None = None,
    ) -> discord.Message | None:
        """An answer to someone who used the bot in ``guild_id``, by DM, headed with the server
        like every DM (``_from_server``): the first message sent, or ``None`` when this person
        can't get a DM from us now. ``once`` names what it answers (a mention's message), so
        sending it again can't show it twice (``once.py``); ``sent`` gets every message it went
        out as (an answer over 4,096 characters is several, each to be edited: ``post_id``).

        Also ``None`` while DMs are paused (40003): someone who used the bot still gets the
        answer where they asked, and nothing about them is remembered as refused."""
        parts = messages(self._from_server(guild_id, text), buttons, attachment)
        try:
            return await self._dm(
                guild_id,
                user_id,
                parts,
                mentions=mentions,
                once=once or secrets.token_hex(8),
                sent=sent,
            )
        except DmsPaused:
            return None

    async def _dm(
        self,
        guild_id: int,
        user_id: int,
        parts: list[Outgoing],
        *,
        mentions: discord.AllowedMentions,
        once: str,
        sent: list[discord.Message] | None = None,
    ) -> discord.Message | None:
        """Like ``send_dm``, but a pause raises ``DmsPaused``: a proactive post then fails and
        the scheduler retries it after the pause, instead of telling people their DMs are closed.
        ``once``: what is delivered, for the messages' nonces (``once.py``).

        Opening the DM channel posts nothing: its 5xx is ``NotPosted``, tried again later."""
        if (guild_id, user_id) in self.dm_closed:
            return None
        self._check_dm_pause()
        first: discord.Message | None = None
        channel: discord.DMChannel | None = None
        try:
            async with self.dms:
                self._check_dm_pause()  # another send may have been throttled while we waited
                channel = await self.client.create_dm(discord.Object(id=user_id))
            for index, part in enumerate(parts):
                part = await self.kept.prepare(part, guild_id=guild_id, owner=user_id, in_dm=True)
                one = await send_once(
                    channel,
                    nonce(once, user_id, index),
                    functools.partial(part.kwargs, mentions=mentions, guild_id=guild_id),
                    turns=self.posts,
                )
                first = first or one
                if sent is not None:
                    sent.append(one)
            return first
        except discord.RateLimited as problem:  # longer than ``max_ratelimit_timeout``
            if first is not None:
                raise
            raise _limited(problem) from problem
        except discord.HTTPException as problem:
            if problem.code == DM_THROTTLED:
                self.dms_paused_until = self.now() + DM_PAUSE
                log.warning(
                    "Discord throttles the bot's DMs (40003); no DM is opened for %s", DM_PAUSE
                )
                raise DmsPaused(
                    "Discord throttles the bot's DMs (40003)",
                    retry_after=DM_PAUSE.total_seconds(),
                ) from problem
            if problem.code == DM_REFUSED or problem.status == 403:
                log.info("DMs to %s refused (%s); no more DMs to them", user_id, problem.code)
                self.dm_closed.add((guild_id, user_id))
                return None
            if channel is None and problem.status >= 500:
                raise NotPosted(_status(problem)) from problem  # no DM opened: nothing sent
            if first is not None or problem.status >= 500:
                raise  # part of it is out, or a server error may come after it was made
            if problem.status == 404:
                # An unknown user (10013): no DM will reach them, now or later.
                raise CannotPostThere(CannotPostThere.NO_DM) from problem
            # Discord answered and made nothing (a limit, a bad request): a try later can't
            # post it twice.
            raise NotPosted(_status(problem), retry_after=_asked(problem)) from problem

    def dms_paused(self) -> bool:
        """Whether a 40003 pause holds DMs back now, so a failed DM is Discord's limit on the
        bot, not the person's settings."""
        until = self.dms_paused_until
        return until is not None and self.now() < until

    def _check_dm_pause(self) -> None:
        """Raise ``DmsPaused`` while a 40003 pause lasts: another DM now would only prolong it."""
        until = self.dms_paused_until
        if until is None:
            return
        if self.now() >= until:
            self.dms_paused_until = None
            return
        raise DmsPaused(
            "Discord throttles the bot's DMs (40003); no DM is opened for now",
            retry_after=(until - self.now()).total_seconds(),
        )

    async def _fallback(
        self, guild_id: int, user_id: int, post: Post, token: str
    ) -> discord.Message | None:
        """Tell the person, where they last used the bot, that something waits for them.

        Only the pointer and a mention: the channel's readers are not the DM's, so neither its
        text nor its buttons (they act for whoever clicks) go there. A channel that refuses it
        (403: permissions changed since) is dropped for the next candidate, the system channel,
        rather than failing the post: the scheduler's retries would only be refused again.
        ``None`` only when no channel can take it for a reason that lasts; one that may pass
        (the server not described to us yet, Discord failing to say who the person is) is
        ``NotPosted``, so the post isn't ended as reaching nobody (``NobodyReached``).
        """
        guild = self.client.get_guild(guild_id)
        # Not described to us yet (a reconnect), or unavailable: after a READY discord.py
        # knows a server by its id only until its GUILD_CREATE (no channels, no member of its
        # own), and an outage marks it so too. Its channels may be known soon.
        if guild is None or guild.unavailable:
            log.warning("no channel to reach %s in guild %s (not available)", user_id, guild_id)
            raise NotPosted("guild not available")
        held: list[NotPosted] = []
        async for channel_id in self._pointer_channels(guild, user_id, held):
            try:
                return await self._point(guild_id, channel_id, user_id, post, token)
            except discord.Forbidden as problem:
                log.warning(
                    "channel %s refused a DM pointer (%s); not trying it again for a while",
                    channel_id,
                    problem.code,
                )
                self.refused_channels[channel_id] = self.now()
                await self._forget_last(guild_id, user_id, channel_id)
        if held:
            # Their last channel may still take it once Discord can say: tried again later.
            raise held[0]
        log.warning("no channel to reach %s in guild %s", user_id, guild_id)
        return None

    async def _pointer_channels(
        self, guild: discord.Guild, user_id: int, held: list[NotPosted]
    ) -> AsyncIterator[int]:
        """Where a pointer may go, best first: the person's last channel, then the system
        channel, each only if they can view it now (a mention in a channel they can't read
        reaches nobody, and their last channel may be a private one they have left since it
        was kept, or a private thread they were taken out of). One at a time: whether they can
        view the system channel is asked (maybe of Discord, which may fail) only once their
        last channel refused the pointer. Discord failing to say whether they can view their
        last channel (a 5xx or 429 on the private thread's members) doesn't hold the system
        channel back: the failure goes into ``held``, for the caller to raise (the pointer
        tried again later) only if no channel took it."""
        now = self.now()
        for old, since in list(self.refused_channels.items()):
            if now - since > REMEMBER_REFUSED:
                del self.refused_channels[old]
        last = await self._last(guild.id, user_id)
        place = guild.get_channel_or_thread(last) if last is not None else None
        if last is not None and place is not None and self._can_post(guild, last):
            try:
                viewable = await self._can_view(guild, place, user_id)
            except NotPosted as problem:
                held.append(problem)
                viewable = False
            if viewable:
                yield last
        system = guild.system_channel
        if (
            system is not None
            and system.id != last
            and self._can_post(guild, system.id)
            and await self._can_view(guild, system, user_id)
        ):
            yield system.id

    async def _point(
        self, guild_id: int, channel_id: int, user_id: int, post: Post, token: str
    ) -> discord.Message | None:
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        first: discord.Message | None = None
        for index, part in enumerate(messages(f"<@{user_id}> {post.pointer or DM_CLOSED}")):
            sent = await send_once(
                channel,
                nonce(token, channel_id, user_id, index),
                functools.partial(part.kwargs, mentions=only([str(user_id)])),
                turns=self.posts,
            )
            first = first or sent
        return first

    def _can_post(self, guild: discord.Guild | None, channel_id: int) -> bool:
        """The cache says the bot may send in this channel, and it hasn't refused us lately.
        A channel missing from the cache is one the bot can't see."""
        if guild is None or channel_id in self.refused_channels:
            return False
        channel = guild.get_channel_or_thread(channel_id)
        me = guild.me
        if channel is None or me is None or not isinstance(channel, discord.abc.Messageable):
            return False
        try:
            perms = channel.permissions_for(me)
        except discord.ClientException:  # a thread whose parent isn't cached
            return False
        if isinstance(channel, discord.Thread):
            return perms.send_messages_in_threads and not channel.locked
        return perms.send_messages

    async def _can_view(
        self, guild: discord.Guild, channel: discord.abc.GuildChannel | discord.Thread, user_id: int
    ) -> bool:
        """Whether this person can view ``channel``, by the roles we know: the cached member's,
        or (without the members intent most people aren't cached) one fetch of them."""
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.RateLimited as problem:  # longer than ``max_ratelimit_timeout``
                raise _limited(problem) from problem
            except discord.HTTPException as problem:  # left the server, or not described to us
                log.info(
                    "couldn't read member %s of guild %s (%s)", user_id, guild.id, problem.status
                )
                if problem.status >= 500 or problem.status == 429:
                    # Discord's trouble, not the person's: whether they can view it may be
                    # known on a later try, so the pointer isn't given up for good now.
                    raise NotPosted(_status(problem), retry_after=_asked(problem)) from problem
                return False
        perms = channel.permissions_for(member)
        if not perms.view_channel:
            return False
        if (
            isinstance(channel, discord.Thread)
            and channel.type == discord.ChannelType.private_thread
            and not perms.manage_threads  # Discord shows them every private thread
        ):
            return await self._in_private_thread(channel, user_id)
        return True

    async def _in_private_thread(self, thread: discord.Thread, user_id: int) -> bool:
        """Whether this person is in the private thread still (asked of Discord: nothing tells
        the bot when someone is taken out). Seeing its parent isn't reading it, and a mention
        there would tell its members what waits for them (and add the person back to it)."""
        try:
            await thread.fetch_member(user_id)
        except discord.RateLimited as problem:  # longer than ``max_ratelimit_timeout``
            raise _limited(problem) from problem
        except discord.HTTPException as problem:  # 404: not in it; 403: the bot can't tell
            log.info("couldn't tell if %s is in thread %s (%s)", user_id, thread.id, problem.status)
            if problem.status >= 500 or problem.status == 429:
                # Discord's trouble: whether they are in it may be known on a later try.
                raise NotPosted(_status(problem), retry_after=_asked(problem)) from problem
            return False
        return True


def _limited(problem: discord.RateLimited) -> NotPosted:
    """discord.py's refusal to wait out a long 429 (nothing was made): for a later try, no
    sooner than Discord asked (``NotPosted.retry_after``), so it isn't refused again."""
    return NotPosted("429 (rate limited)", retry_after=problem.retry_after)


def _asked(problem: BaseException) -> float | None:
    """The seconds Discord asked to wait, from a 429 discord.py gave up on: ``RateLimited``
    past ``max_ratelimit_timeout``, or an ``HTTPException`` (its own tries spent, or a 429
    without Discord's ``Via``) by its ``Retry-After``; ``None`` for anything else."""
    if isinstance(problem, discord.RateLimited):
        return problem.retry_after
    if isinstance(problem, discord.HTTPException) and problem.status == 429:
        try:
            return float(problem.response.headers.get("Retry-After", ""))
        except ValueError:
            return None
    return None


def _told_to_wait(problem: BaseException) -> RetryLater | None:
    """A 429 that reached ``post`` as discord.py raised it (a later part of a message, after
    which the post is partly out: not ``NotPosted``) as the core reads one, with what Discord
    asked to wait: a retry sooner is only refused again. ``None`` for anything else."""
    if isinstance(problem, RetryLater) or not (
        isinstance(problem, discord.RateLimited)
        or (isinstance(problem, discord.HTTPException) and problem.status == 429)
    ):
        return None
    return RetryLater("429 (rate limited)", retry_after=_asked(problem))


def _status(problem: Exception) -> str:
    """A failed request for the log: Discord's status, or what went wrong on our side."""
    if isinstance(problem, discord.HTTPException):
        return f"{problem.status} ({problem.code})"
    return type(problem).__name__


def _titled(post: Post) -> str:
    """The post's text for its thread's title: Discord shows a title as typed, so a mention
    there would read "<@4000> is looking for…"; each becomes the name the post gives it."""
    return _USER_MENTION.sub(lambda found: post.names.get(found.group(1), "someone"), post.text)


def post_id(sent: Sequence[discord.Message]) -> str:
    """The id a post the bot sent as several messages (an answer over 4,096 characters) is
    reported under (``Bot.reply_posted``): their ids, in order, one space apart, so that
    ``update`` edits every one of them and no later part keeps a quote the edit took out."""
    return " ".join(str(message.id) for message in sent)


def _parts(message_id: str, text: str, buttons: tuple[Button, ...]) -> list[tuple[str, Outgoing]]:
    """Each message of a post (``post_id``) with what it is to say now: one message, the
    first of ``text``'s (the core keeps such posts within one); several, ``text`` spread
    across them (``render.spread``)."""
    ids = message_id.split()
    if len(ids) == 1:
        return [(ids[0], messages(text, buttons)[0])]
    return list(zip(ids, spread(text, buttons, len(ids)), strict=True))


async def _edit_part(message: discord.PartialMessage, part: Outgoing, post: Post) -> None:
    """One message of a post rewritten to its share of the new text (``_parts``)."""
    embed = discord.Embed(description=part.embed) if part.embed is not None else None
    await message.edit(content=part.content, embed=embed, allowed_mentions=_cited(post))


def _cited(post: Post) -> discord.AllowedMentions:
    """Who a post may ping: the people the core names in it, not whom a quoted text mentions;
    nobody for a ``quiet`` post (its mentions show the names, and notify no one)."""
    if post.quiet:
        return QUIET
    return only([*post.names, *post.to_users])
