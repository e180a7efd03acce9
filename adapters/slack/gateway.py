"""Everything we send to Slack's Web API goes through one limiter per workspace.

slack_sdk's ``RateLimitErrorRetryHandler`` sleeps per call and shares nothing, so N concurrent
senders each take a 429 and each retry. Here a workspace has one pacing schedule: calls take
slots at the configured rate. A 429's ``Retry-After`` closes the METHOD it answered in that
workspace until it passes, for every sender of that method, including those already waiting:
Slack rate-limits each method on its own ("per API method per workspace per app", with a tier
per method; ``chat.postMessage`` has its own special limit), so a 429 on ``conversations.members``
holds back no ``chat.postMessage``, ``views.publish`` or lookup.

Only a short close is waited out here (``LONGEST_WAIT``, and ``WAIT_BUDGET`` after a call's first
429). A long one (Slack may say an hour) is not slept on: a scheduler wake-up or a person's
command would hang for it, and every other sender of that method with it. The call, and every
other call of that method there until it passes, is refused at once with a 429 carrying the
time still to wait (``RateLimited``), which the callers already read as "not now"
(``refusals.retry_after``): the core's scheduled retries come back after it, without a request
for that method reaching Slack meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from narrate_bot.events import ChannelKind, ChannelRef, TenantRef
from narrate_bot.ports import CannotDelete, CannotEdit, ChannelNow, Clock, NotPosted
from narrate_bot.replies import Post, Reply
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database

from . import render
from .refusals import HOW_TO_ADD, error_code, open_refused, post_refused, retry_after
from .store import PLATFORM, to_bot

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 6
# The longest ``Retry-After`` waited out in process, and the most waiting after a call's first
# 429. Slack's usual answers are a few seconds (a Tier's minute window at most), and those are
# still waited out, pacing every sender. Past 30 s, a waiting task costs more than it saves: a
# scheduler tick holds every later send behind it, a command's lookups keep its person waiting
# (their answer comes through the ``response_url``, which Slack keeps for 30 minutes, but a
# person gives up long before), and shutdown waits for the running tick's sends. The core's
# retries (``NotPosted.retry_after``) come back after the rest instead; a minute in all keeps
# six short 429s in a row from adding up to as much.
LONGEST_WAIT = 30.0
WAIT_BUDGET = 60.0
ENTERPRISE_KEY = "slack.enterprise_id"
CATCH_UP = 3  # slots a late caller may make up for; well inside Slack's burst allowance
# The scope without which Slack never tells us of a plain message in that kind of conversation
# (a reply in a prompt's thread, a message in the DM with the app).
HISTORY_SCOPE = {
    ChannelKind.PUBLIC: "channels:history",
    ChannelKind.PRIVATE: "groups:history",
    ChannelKind.DIRECT: "im:history",
}
# chat.delete's answers: the message is gone already; or it will never go by our hand (Slack
# says ``channel_not_found`` for a deleted channel, but also for a private one the app was
# removed from, where the post still shows, so it counts as staying). Other errors raise too.
GONE = {"message_not_found"}
NOT_DELETABLE = {"channel_not_found", "not_in_channel", "cant_delete_message"}
# chat.update's answers that stay until someone changes something (the app invited back, the
# channel unarchived); an edit window closed stays for good.
NOT_EDITABLE = {
    "channel_not_found",
    "not_in_channel",
    "cant_update_message",
    "is_archived",
    "edit_window_closed",
}
# How long a workspace's granted scopes are trusted: an admin who adds the history scopes and
# reinstalls sees prompts invite thread replies within the hour.
SCOPES_FRESH_SECONDS = 3600.0
# conversations.info's flags for a channel people outside the workspace read (Slack Connect, a
# Grid org's other workspaces): ``Directory.where`` reads the same ones.
# A person the core cites, ``<@U123>`` (``replies``): a quiet post writes their name instead.
_CITED = re.compile(r"<@([A-Z0-9]+)>")
SHARED_FLAGS = ("is_ext_shared", "is_org_shared", "is_shared")
# users.list's page size: Slack's most (it may answer with fewer); a 10,000-person workspace is
# ten calls, each taking a slot of the workspace's limiter.
USERS_PAGE = 1000


class StillHolds(Protocol):
    """``Bot.reply_still_holds``: whether what a kept reply quotes still holds."""

    def __call__(
        self, tenant: TenantRef, reply: Reply, *, reader_user_id: str | None, channel_id: str | None
    ) -> Awaitable[bool]: ...


class RateLimited(SlackApiError):
    """Slack's 429 for ``method``, still in force for ``seconds``: raised without asking Slack
    again, as a ``SlackApiError`` whose answer is a 429 naming ``ratelimited`` with that
    ``Retry-After`` (its ``api_url`` names the method, as Slack's own answers do), so every
    caller reads it as Slack's own (``refusals.retry_after``, ``passing``, ``method_of``)."""

    def __init__(self, seconds: float, method: str = "") -> None:
        self.seconds = seconds
        self.method = method
        answer = AsyncSlackResponse(
            client=None,
            http_verb="POST",
            api_url=method,
            req_args={},
            data={"ok": False, "error": "ratelimited"},
            # Whole seconds, rounded up, as Slack gives them: a retry is never early.
            headers={"Retry-After": str(max(math.ceil(seconds), 1))},
            status_code=429,
        )
        super().__init__(  # type: ignore[no-untyped-call] # slack_sdk's is untyped
            f"rate limited: {method or 'the method'} is closed in the workspace for now", answer
        )


def method_of(error: SlackApiError) -> str | None:
    """The Web API method an error answered (``chat.postMessage``), from its response's URL;
    ``None`` when it names none."""
    url = str(getattr(error.response, "api_url", "") or "")
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name or None


class WorkspaceLimiter:
    """Paces one workspace's calls and honours each method's ``Retry-After`` for all of them."""

    def __init__(self, per_second: float, *, monotonic: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / per_second
        self._now = monotonic
        self._next = 0.0
        self.blocked_until: dict[str, float] = {}  # method -> when its 429 has passed
        self._lock = asyncio.Lock()

    async def acquire(self, method: str, *, longest: float = math.inf) -> None:
        """Wait until ``method`` is open here, then for this workspace's next slot; slots are
        handed out in arrival order.

        A method's close is waited out before queueing for a slot, so a caller of another
        method never waits behind it. The lock is held while sleeping for a slot, so slots are
        handed out one at a time; a 429 that arrives meanwhile is seen before the slot is taken.
        A late wake-up (a busy event loop) may catch up a few slots (``CATCH_UP``), never more,
        so a stall doesn't become a burst.

        While ``method`` stays closed more than ``longest`` seconds, ``RateLimited`` is raised
        at once: a sender never sleeps through a long ``Retry-After``.
        """
        while True:
            closed = self._refuse_past(method, longest)
            if closed > 0:
                await asyncio.sleep(closed)
                continue
            async with self._lock:
                while self.closed_for(method) <= 0:
                    now = self._now()
                    if self._next <= now:
                        self._next = max(self._next, now - CATCH_UP * self.interval)
                        self._next += self.interval
                        return
                    await asyncio.sleep(self._next - now)

    def _refuse_past(self, method: str, longest: float) -> float:
        closed = self.closed_for(method)
        if closed > max(longest, 0.0):  # a spent budget waits for nothing, but an open door
            raise RateLimited(closed, method)
        return closed

    def block(self, seconds: float, method: str) -> None:
        until = self._now() + seconds
        self.blocked_until[method] = max(self.blocked_until.get(method, 0.0), until)

    def closed_for(self, method: str | None = None) -> float:
        """Seconds until ``method`` opens again here (0 when it is open); with no method, the
        longest any method stays closed."""
        if method is None:
            until = max(self.blocked_until.values(), default=0.0)
        else:
            until = self.blocked_until.get(method, 0.0)
        return max(until - self._now(), 0.0)

    def now(self) -> float:
        return self._now()


class SlackGateway:
    """The ``ChatGateway`` for Slack, and the one door every outbound call uses."""

    def __init__(
        self,
        db: Database,
        *,
        client: AsyncWebClient,
        per_second: float,
        single_token: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.monotonic = monotonic  # the limiters' clock (tests move it past a long 429)
        self.client = client
        self.per_second = per_second
        self.single_token = single_token
        self.limiters: dict[str, WorkspaceLimiter] = {}
        self.enterprise_of: dict[str, str] = {}
        # The core's clock, and how it learns where a reply quoting narrations went: set by the
        # adapter, for replies kept past a rate limit (``later``).
        self.clock: Clock | None = None
        self.reply_posted: Callable[[TenantRef, Reply, Post, str], Awaitable[None]] | None = None
        # Whether what a kept reply quotes still holds (``Bot.reply_still_holds``).
        self.reply_still_holds: StillHolds | None = None
        self.kept_until: dict[str, datetime] = {}  # workspace -> its kept replies' lookups end
        self.scopes: dict[str, tuple[float, frozenset[str]]] = {}

    def limiter(self, tenant_key: str) -> WorkspaceLimiter:
        found = self.limiters.get(tenant_key)
        if found is None:
            found = self.limiters[tenant_key] = WorkspaceLimiter(
                self.per_second, monotonic=self.monotonic
            )
        return found

    async def call(self, tenant_key: str, method: str, send: Callable[[], Awaitable[T]]) -> T:
        """Run one Web API call of ``method`` (Slack's name: ``chat.postMessage``) in the
        workspace's schedule; a short 429 is waited out and retried. A long one, or waits past
        ``WAIT_BUDGET`` since this call's first 429, raise ``RateLimited`` with the time the
        method stays closed in the workspace, as does every call of it there meanwhile: the
        caller's own retry comes back then (``NotPosted.retry_after``). Other methods go on."""
        limiter = self.limiter(tenant_key)
        deadline = math.inf  # waiting ends by then, once a 429 started it
        for attempt in range(MAX_ATTEMPTS):
            await limiter.acquire(method, longest=min(LONGEST_WAIT, deadline - limiter.now()))
            try:
                return await send()
            except SlackApiError as error:
                wait = retry_after(error)
                if wait is None:
                    raise
                limiter.block(wait, method)  # every sender of it, even on our last attempt
                closed = limiter.closed_for(method)
                if attempt == MAX_ATTEMPTS - 1:
                    if closed > 0:
                        raise RateLimited(closed, method) from error
                    raise
                deadline = min(deadline, limiter.now() + WAIT_BUDGET)
                if closed > min(LONGEST_WAIT, deadline - limiter.now()):
                    log.warning(
                        "slack rate limited in %s on %s for %.0fs: not waiting",
                        tenant_key,
                        method,
                        closed,
                    )
                    raise RateLimited(closed, method) from error
                log.warning(
                    "slack rate limited in %s on %s: waiting %.1fs", tenant_key, method, wait
                )
        raise AssertionError("unreachable")  # pragma: no cover

    async def send_queued(
        self, tenant: TenantRef, payload: str, *, instead: str | None = None
    ) -> str | None:
        """The core's ``QueuedReplies``: a reply a rate limit refused, sent now (``later``)."""
        from . import later  # it renders as ``delivery`` does, which imports this module

        return await later.send_queued(self, tenant, payload, instead=instead)

    async def client_for(self, tenant: TenantRef) -> AsyncWebClient:
        """A client with the workspace's bot token (the single token, or its installation's)."""
        if self.single_token is not None:
            return self.client
        async with self.db.transaction() as session:
            enterprise = self.enterprise_of.get(tenant.tenant_id)
            if enterprise is None:
                row = await repo.ensure_tenant(
                    session,
                    platform=PLATFORM,
                    external_id=tenant.tenant_id,
                    name=tenant.name,
                    now=datetime.now(UTC),
                )
                assert row.id is not None
                enterprise = await repo.get_setting(session, tenant_id=row.id, key=ENTERPRISE_KEY)
            found = await ps.find_installation(
                session,
                platform=PLATFORM,
                enterprise_id=enterprise or "",
                team_id="" if tenant.tenant_id == enterprise else tenant.tenant_id,
            )
        if found is None:
            raise LookupError(f"narrate-bot is not installed in Slack workspace {tenant.tenant_id}")
        return AsyncWebClient(token=to_bot(found).bot_token, base_url=self.client.base_url)

    async def post(self, tenant: TenantRef, post: Post) -> str:
        client = await self.client_for(tenant)
        payload: dict[str, Any] = _rendered(post)
        if post.channel_id is not None:
            channel = post.channel_id
            if post.thread_of:
                payload["thread_ts"] = post.thread_of
        elif len(post.to_users) == 1:
            channel = post.to_users[0]  # a DM without conversations.open (Tier 3 would bind)
        else:
            channel = await self._open(tenant, client, post.to_users)
        try:
            sent = await self.call(
                tenant.tenant_id,
                "chat.postMessage",
                lambda: client.chat_postMessage(channel=channel, **payload),
            )
        except SlackApiError as error:
            # Final (``CannotPostThere``), for later (``NotPosted``), or maybe posted: then
            # raised as it is, and the caller must not post it again (``refusals``).
            refused = post_refused(error, direct=post.channel_id is None)
            if refused is None:
                raise
            raise refused from error
        return str(sent["ts"])

    async def _open(self, tenant: TenantRef, client: AsyncWebClient, users: Sequence[str]) -> str:
        """The group DM's id, from ``conversations.open``. It posts nothing, so its failure is
        never "maybe posted": a refusal that stays (someone deactivated, a bot) is final, any
        other (a 5xx, a timeout, ``internal_error``) is ``NotPosted``, tried again later."""
        try:
            opened = await self.call(
                tenant.tenant_id,
                "conversations.open",
                lambda: client.conversations_open(users=",".join(users)),
            )
        except SlackApiError as error:
            log.warning("conversations.open failed in %s: %s", tenant, error_code(error) or "-")
            raise open_refused(error) from error
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("conversations.open failed in %s: %s", tenant, type(error).__name__)
            raise NotPosted(type(error).__name__) from error
        return str(opened["channel"]["id"])

    async def how_to_add(self, tenant: TenantRef, channel_id: str) -> str | None:
        """The core's ``ChannelPresence``: ``conversations.info``'s ``is_member`` (the bot
        token's own membership; ``channels:read``/``groups:read``). A private channel the app
        isn't in is unknown to it (``channel_not_found``), which says the same. Any other
        failure says nothing, rather than warn wrongly."""
        try:
            channel = await self._conversation(tenant, channel_id)
        except SlackApiError as error:
            code = error_code(error)  # a 5xx's plain body names none: nothing is said
            if code == "channel_not_found":
                return HOW_TO_ADD
            log.warning("conversations.info failed in %s: %s", tenant.tenant_id, code or "-")
            return None
        if channel.get("is_member") is False:
            return HOW_TO_ADD
        return None

    async def update(self, tenant: TenantRef, message_id: str, post: Post) -> None:
        """The core's ``ChatGateway.update``: ``chat.update`` of the bot's own message (with
        ``chat:write``), its text and blocks rendered as ``post`` would be. Slack's refusals are
        raised, so the person is told the post still shows the old text.

        A DM (``post.to_users``, a followed-topics digest) was posted to the user id, which
        ``chat.update`` doesn't take: it needs the DM's id, which ``conversations.open`` gives
        (the existing DM; ``im:write``).

        A message gone (``message_not_found``) is done: nothing shows the old text. The
        ``NOT_EDITABLE`` answers are raised as ``CannotEdit``, so a repair tries weekly instead
        of every few hours; only the error code is logged, never the text."""
        client = await self.client_for(tenant)
        channel = post.channel_id
        if channel is None:
            opened = await self.call(
                tenant.tenant_id,
                "conversations.open",
                lambda: client.conversations_open(users=",".join(post.to_users)),
            )
            channel = str(opened["channel"]["id"])
        payload = _rendered(post)
        try:
            await self.call(
                tenant.tenant_id,
                "chat.update",
                lambda: client.chat_update(channel=channel, ts=message_id, **payload),
            )
        except SlackApiError as error:
            code = error_code(error)
            if code in GONE:
                log.debug("slack: a post to edit in %s was gone already (%s)", tenant, code)
                return
            if code in NOT_EDITABLE:
                log.info("slack: a post in %s can't be edited by the app (%s)", tenant, code)
                raise CannotEdit(code) from error
            raise

    async def delete(
        self, tenant: TenantRef, channel_id: str, message_id: str, *, thread_of: str | None = None
    ) -> None:
        """The core's ``ChatGateway.delete``: ``chat.delete`` with the workspace's bot token
        (a bot may delete its own messages with ``chat:write``). Replies others wrote in its
        thread are theirs and stay; Slack shows the parent as deleted.

        A message already gone is done. ``NOT_DELETABLE`` answers won't change by retrying:
        raised as ``CannotDelete``, so the person it named is told it stayed and a repair
        stops trying. Only the error code is
        logged, never the text. A reply in a thread is deleted by its channel and ts alone
        (``thread_of`` isn't needed)."""
        del thread_of
        client = await self.client_for(tenant)
        try:
            await self.call(
                tenant.tenant_id,
                "chat.delete",
                lambda: client.chat_delete(channel=channel_id, ts=message_id),
            )
        except SlackApiError as error:
            code = error_code(error)  # a 5xx's plain body names none: raised as it is
            if code in GONE:
                log.debug("slack: a post to delete in %s was gone already (%s)", tenant, code)
                return
            if code in NOT_DELETABLE:
                log.info("slack: a post in %s can't be deleted by the app (%s)", tenant, code)
                raise CannotDelete(code) from error
            raise

    async def shared_now(self, tenant: TenantRef, channel_id: str) -> bool | None:
        """The core's ``ChannelSharing``: ``conversations.info``'s sharing flags, as
        ``Directory.where`` reads them; ``None`` when the lookup fails (the app removed from a
        private channel, an outage): Slack didn't say, and the core counts the channel as
        shared for this post without storing that guess (``schedule_delivery._sharing_now``).
        It was answered ``True``, and stored so: an internal channel stayed stored as shared,
        its digests and introductions built as for outsiders, until an event there.

        A rate limit in force (``RateLimited``) is raised, Slack not asked: no answer either,
        read the same way."""
        try:
            channel = await self._conversation(tenant, channel_id)
        except RateLimited:
            log.info(
                "slack: a channel's sharing in %s unknown while rate limited", tenant.tenant_id
            )
            raise
        except SlackApiError as error:
            log.warning(
                "conversations.info failed in %s: %s", tenant.tenant_id, error_code(error) or "-"
            )
            return None
        return any(bool(channel.get(flag)) for flag in SHARED_FLAGS)

    async def stored_channel(self, tenant_key: str, channel_id: str) -> ChannelRef | None:
        """What is stored about the channel (its kind, name, ``shared`` flag), read while a rate
        limit keeps Slack from describing it; ``None`` when nothing is stored about it."""
        async with self.db.transaction() as session:
            row = await repo.find_tenant(session, platform=PLATFORM, external_id=tenant_key)
            if row is None or row.id is None:
                return None
            channel = await repo.find_channel(session, tenant_id=row.id, channel_id=channel_id)
            if channel is None:
                return None
            return ChannelRef(
                channel_id=channel_id,
                name=channel.name,
                kind=ChannelKind(channel.kind),
                shared=bool(channel.shared),
            )

    async def channel_now(self, tenant: TenantRef, channel_id: str) -> ChannelNow | None:
        """The core's ``ChannelLookup``: one ``conversations.info`` (the look-up ``shared_now``
        and ``how_to_add`` make) read for its sharing flags, ``is_archived`` and ``is_member``
        (the bot token's own membership). A private channel the app isn't in is unknown to it
        (``channel_not_found``): the bot isn't in it, and nothing else is said. Any other
        failure says nothing (``None``)."""
        try:
            channel = await self._conversation(tenant, channel_id)
        except SlackApiError as error:
            code = error_code(error)
            if code == "channel_not_found":
                return ChannelNow(member=False)
            log.warning("conversations.info failed in %s: %s", tenant.tenant_id, code or "-")
            return None
        member = channel.get("is_member")
        readers = None
        if member is True and channel.get("is_private"):
            readers = await self._readers(tenant, channel_id)
        return ChannelNow(
            shared=any(bool(channel.get(flag)) for flag in SHARED_FLAGS),
            archived=bool(channel.get("is_archived")),
            member=member if isinstance(member, bool) else None,
            members=readers,
        )

    async def _readers(self, tenant: TenantRef, channel_id: str) -> tuple[str, ...] | None:
        """Everyone ``conversations.members`` lists for a private channel the app is in;
        ``None`` when Slack won't say. Read as the app is found back in a channel it was out
        of: the readers kept from then are stale (``ChannelNow.members``)."""
        try:
            return tuple(await self.members_of(tenant, channel_id))
        except SlackApiError as error:
            log.warning(
                "conversations.members failed in %s: %s", tenant.tenant_id, error_code(error) or "-"
            )
            return None

    async def members_of(self, tenant: TenantRef, channel_id: str) -> list[str]:
        """Everyone ``conversations.members`` lists for a channel, page by page, through the
        workspace's limiter; raises ``SlackApiError`` as Slack answered."""
        client = await self.client_for(tenant)
        found: list[str] = []
        cursor: str | None = None
        while True:
            page = cursor
            response = await self.call(
                tenant.tenant_id,
                "conversations.members",
                lambda page=page: client.conversations_members(  # type: ignore[misc]
                    channel=channel_id, limit=200, cursor=page
                ),
            )
            found += response.get("members") or []
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return found

    async def _conversation(self, tenant: TenantRef, channel_id: str) -> dict[str, Any]:
        """``conversations.info``'s channel, through the workspace's limiter; raises
        ``SlackApiError`` as Slack answered."""
        client = await self.client_for(tenant)
        response = await self.call(
            tenant.tenant_id,
            "conversations.info",
            lambda: client.conversations_info(channel=channel_id),
        )
        channel = response.get("channel") or {}
        return dict(channel) if isinstance(channel, dict) else {}

    async def deactivated(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        """The core's ``DepartureCheck``: which of these people Slack lists as ``deleted``
        (deactivated), from ``users.list`` (``users:read``), page by page through the workspace's
        limiter, each 429 waited out. Someone Slack doesn't list (a Slack Connect member of
        another organisation) isn't taken for deactivated. A failure raises: nobody is marked
        from half an answer."""
        client = await self.client_for(tenant)
        wanted, gone = set(user_ids), set[str]()
        cursor = ""
        while True:
            response = await self.call(
                tenant.tenant_id,
                "users.list",
                functools.partial(client.users_list, cursor=cursor or None, limit=USERS_PAGE),
            )
            for member in response.get("members") or []:
                if member.get("deleted") and member.get("id") in wanted:
                    gone.add(str(member["id"]))
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return gone

    async def hears_replies(self, tenant: TenantRef, kind: ChannelKind) -> bool:
        """Whether Slack tells us of plain messages there: only with the ``*:history`` scope for
        that kind of conversation (the manifest asks for none; README, "Add to Slack"). Read from
        the token's granted scopes (``auth.test``'s ``x-oauth-scopes``, as Bolt reads them), so
        a single-token install and each OAuth installation answer for themselves. When Slack
        can't be asked, the answer is no: a post then points to its button, which always works,
        rather than promise a reply that may be lost.
        """
        scope = HISTORY_SCOPE[kind]
        cached = self.scopes.get(tenant.tenant_id)
        if cached is not None and time.monotonic() - cached[0] < SCOPES_FRESH_SECONDS:
            return scope in cached[1]
        try:
            client = await self.client_for(tenant)
            response = await self.call(tenant.tenant_id, "auth.test", lambda: client.auth_test())
        except (LookupError, SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack: couldn't read the granted scopes in %s: %s", tenant, error)
            return False
        header = str(response.headers.get("x-oauth-scopes", ""))
        granted = frozenset(part.strip() for part in header.split(",") if part.strip())
        self.scopes[tenant.tenant_id] = (time.monotonic(), granted)
        return scope in granted


def _rendered(post: Post) -> dict[str, Any]:
    """A post's text and blocks: only the people it cites are mentions (nobody else in its
    text is pinged); a ``quiet`` post names them as plain text, since a mention on Slack
    always notifies."""
    if not post.quiet:
        cited = {*post.names, *post.to_users}
        return render.message(post.text, post.buttons, mentions=cited)
    text = _CITED.sub(lambda m: post.names.get(m.group(1), m.group(0)), post.text)
    return render.message(text, post.buttons)
