"""The Bolt ``AsyncApp`` wired to the core: listeners ack first, then translate, handle, deliver.

Every listener calls ``ack()`` before any I/O (events are acked by Bolt itself), so Slack gets
its answer in milliseconds and the database and Web API work happens after it. Slack won't
redeliver what it got a 200 for, so a failure after the ack is ours: the work is tried again in
process, then the person is told to send it again (``recovery.py``). Events are claimed by
``event_id`` in the database, so a redelivery (Slack's retries when an ack was late, Socket
Mode's reconnects) never doubles what was done or told.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.app import Bot
from narrate_bot.config import SlackSettings
from narrate_bot.events import ChannelKind, Event, Platform, TenantRef, UserRef
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo

from . import recovery, render, translate
from .dedupe import EventDedupe, NotClaimed, committed, enterprise_of
from .delivery import Target
from .directory import Directory
from .gateway import RateLimited, SlackGateway
from .interactive import InteractiveSurfaces, changes_home, team_url
from .lifecycle import CONVERSIONS, DELETED
from .returning import ChannelsRelearned
from .store import DatabaseInstallationStore, RotatingAuthorize, SignedStateStore

log = logging.getLogger(__name__)
# Bolt logs the request body at INFO when a signature is wrong, and unhandled payloads at WARNING:
# its framework logger is kept at ERROR so no message text reaches the logs.
BOLT_LOGGER = "narrate_bot_adapters.slack.bolt"
SHORTCUT_ID = "narrate_this"
# What the OAuth install asks for: the same list as manifest.yaml (a test keeps them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "app_mentions:read",
    "channels:read",
    "groups:read",
    "users:read",
    "files:write",
    "im:write",  # conversations.open for one person: the DM an export's file is shared in
    "mpim:write",  # conversations.open for several: introductions and their follow-ups
)
RACE_RETRIES = 3
# How long ``drain``, past its timeout, waits for the background work it cancelled to end.
CANCELLED_WAIT = 1.0
Payload = dict[str, Any]


class SlackAdapter(InteractiveSurfaces):
    """Holds the Bolt app, the gateway the core speaks through, and the lookups."""

    def __init__(self, bot: Bot, settings: SlackSettings, *, oauth: bool | None = None) -> None:
        self.bot = bot
        self.settings = settings
        self.db = bot.db
        token = settings.bot_token.get_secret_value() if settings.bot_token else None
        self.oauth = oauth if oauth is not None else token is None
        client = AsyncWebClient(token=None if self.oauth else token, base_url=settings.api_url)
        self.gateway = SlackGateway(
            self.db,
            client=client,
            per_second=settings.workspace_rate_per_minute / 60.0,
            single_token=None if self.oauth else token,
        )
        self.gateway.clock = bot.clock
        self.gateway.reply_posted = bot.reply_posted
        self.gateway.reply_still_holds = bot.reply_still_holds
        self.directory = Directory(self.gateway)
        self.authorize: RotatingAuthorize | None = None
        if self.oauth:
            self.authorize = RotatingAuthorize(
                self.db,
                client_id=settings.client_id,
                client_secret=_secret(settings.client_secret),
                client=client,
            )
        self.installations = DatabaseInstallationStore(
            self.db, changed=self.authorize.forget if self.authorize else None
        )
        bolt_logger = logging.getLogger(BOLT_LOGGER)
        bolt_logger.setLevel(logging.ERROR)
        secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
        common: dict[str, Any] = {
            "client": client,
            "logger": bolt_logger,
            "signing_secret": secret,
            "request_verification_enabled": secret is not None,
            "ignoring_self_events_enabled": True,
        }
        if self.authorize is not None:
            self.bolt = AsyncApp(
                **common,
                authorize=self.authorize,  # type: ignore[arg-type] # an AsyncAuthorize is accepted
                oauth_flow=self._oauth_flow(client),
            )
        else:
            self.bolt = AsyncApp(**common, token=token)
        # Work after the ack waits here, so a burst queues in memory instead of exhausting the
        # database pool; the acks themselves never wait.
        # SQLite has one writer at a time: more workers would only meet in its busy handler.
        self._capacity = settings.concurrency if self.db.dialect != "sqlite" else 1
        self.slots = asyncio.Semaphore(self._capacity)
        self.dedupe = EventDedupe(self.db, self.gateway)
        self.retry_delays = recovery.RETRY_DELAYS
        bot.gateways[Platform.SLACK] = self.gateway
        # Someone back after a forget-me: their private channels re-learned in the background.
        self.returning = ChannelsRelearned(bot, self.gateway, self.found_private)
        bot.returns[Platform.SLACK] = self.returning
        # An event's claim is marked the moment the core commits its change: cancelled after
        # that, before the answer is ready (a shutdown while the core still looks up who could
        # help, or takes a deleted narration's posts back), the claim is finished, not given
        # back for Slack's retry to do the change a second time.
        bot.on_committed[Platform.SLACK] = committed
        self._register()

    def _oauth_flow(self, client: AsyncWebClient) -> AsyncOAuthFlow:
        s = self.settings
        return AsyncOAuthFlow(
            client=client,
            settings=AsyncOAuthSettings(
                client_id=s.client_id,
                client_secret=_secret(s.client_secret),
                scopes=list(BOT_SCOPES),
                installation_store=self.installations,
                installation_store_bot_only=True,
                state_store=SignedStateStore(_secret(s.state_secret) or ""),
                authorization_url=s.authorize_url,
            ),
        )

    # ------------------------------------------------------------------------------ plumbing

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for work already acked to finish (before shutting down or disposing the DB),
        and for the re-learning it started (``returning``) and the claims of cancelled work
        still being given back (``dedupe``), which take no slot. Past ``timeout``, the
        re-learning and the give-backs still running are cancelled, and waited for a moment
        (``CANCELLED_WAIT``) to end, not left to outlive the DB: a claim not given back lapses
        with its lease. Work still holding a slot is not cancelled here."""
        taken = 0
        capacity = self._capacity
        try:
            async with asyncio.timeout(timeout):
                while taken < capacity:
                    await self.slots.acquire()
                    taken += 1
                await self.returning.settled()
                await self.dedupe.settled()
        except TimeoutError:
            log.warning("slack: shut down with work still running")
            self.returning.cancel()
            self.dedupe.cancel()
            try:
                async with asyncio.timeout(CANCELLED_WAIT):
                    await self.returning.settled()
                    await self.dedupe.settled()
            except TimeoutError:
                log.warning("slack: background work didn't stop when cancelled")
        finally:
            for _ in range(taken):
                self.slots.release()

    async def handle(self, event: Event) -> list[Any]:
        """The core's answer; a first-time row raced by a parallel event is simply retried."""
        for attempt in range(RACE_RETRIES):
            try:
                return list(await self.bot.handle(event))
            except Exception as error:
                if not ps.lost_a_race(error) or attempt == RACE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------------------ listeners

    def _paced(self, handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Ack at once (Bolt injects ``ack`` by name), then run ``handler`` when a slot is free."""

        @functools.wraps(handler)
        async def run(**kwargs: Any) -> None:
            ack = kwargs.get("ack")
            if ack is not None:
                await ack()
                kwargs["ack"] = _acked
            async with self.slots:
                await handler(**kwargs)

        return run

    def _register(self) -> None:
        app, paced = self.bolt, self._paced
        app.command("/narrate")(paced(self.on_command))
        app.event("app_mention")(paced(self.on_message))
        app.event("message")(paced(self.on_message))
        app.shortcut(SHORTCUT_ID)(paced(self.on_shortcut))
        app.action(re.compile(f"^{render.ACTION_PREFIX}_"))(paced(self.on_button))
        app.view(translate.FORM_CALLBACK)(self.on_form)
        app.event("app_home_opened")(paced(self.on_home))
        app.event("member_joined_channel")(paced(self.on_membership))
        app.event("member_left_channel")(paced(self.on_membership))
        for name in ("channel_created", "channel_rename", "channel_unarchive"):
            app.event(name)(paced(self.on_channel))
        for name in ("group_rename", "group_unarchive", "channel_archive", "group_archive"):
            app.event(name)(paced(self.on_channel))
        for name in ("channel_deleted", "group_deleted"):
            app.event(name)(paced(self.on_channel_deleted))
        for name in ("channel_shared", "channel_unshared"):
            app.event(name)(paced(self.on_sharing))
        app.event("user_change")(paced(self.on_user_change))
        app.event("app_uninstalled")(paced(self.on_uninstalled))
        # An org-wide install removed from some of the org's workspaces (not the whole org).
        app.event("team_access_revoked")(paced(self.on_team_access_revoked))
        app.event("app_uninstalled_team")(paced(self.on_uninstalled_team))
        app.event("tokens_revoked")(paced(self.on_tokens_revoked))

    async def on_command(self, ack: Any, body: Payload, context: Any, respond: Any) -> None:
        await ack()
        client = self._client(context)
        tenant = translate.tenant_of(body)
        respond = respond if body.get("response_url") else None

        async def work() -> tuple[Target, list[Any]]:
            await self.dedupe.tenant_pk(tenant, enterprise_of(body))
            user = await self.directory.user(
                client, tenant.tenant_id, body["user_id"], body.get("user_name", "")
            )
            where = await self._command_channel(client, tenant, body)
            event = translate.slash_command(body, user, now=self.bot.clock.now(), where=where)
            await self._profile(client, tenant, body["user_id"])
            replies = await self.handle(event)
            target = Target(
                tenant=tenant.tenant_id,
                client=client,
                user_id=user.user_id,
                where=where,
                trigger_id=body.get("trigger_id"),
                respond=respond,
            )
            return target, replies

        # What they typed, to give back if it fails: as typed, never with the core's "‹" "›".
        text = translate.as_typed(str(body.get("text") or "")).strip()
        notice = recovery.Notice(
            tenant.tenant_id,
            client,
            body["user_id"],
            respond=respond,
            channel_id=body.get("channel_id"),
            wrote=f"{body.get('command') or '/narrate'} {text}" if text else "",
        )
        answered = await self._answer("command", work, notice)
        if answered and changes_home(text):
            await self._publish_home(client, tenant, body["user_id"])  # no longer theirs to show

    async def _command_channel(
        self, client: AsyncWebClient, tenant: TenantRef, body: Payload
    ) -> translate.Where:
        """Where a slash command was typed. Its payload only names DMs and private channels
        reliably: a group DM or a Slack Connect channel looks public there, so anything but a DM
        is looked up (as stored when the lookup fails; on first sight private and shared)."""
        kind = translate.kind_of_command(body)
        name = str(body.get("channel_name", ""))
        if kind == ChannelKind.DIRECT:
            where = translate.Where(channel_id=body["channel_id"], kind=kind, name=name)
        else:
            hint = "group" if kind == ChannelKind.PRIVATE else None  # narrows, never widens
            if name.startswith(translate.GROUP_DM_PREFIX):
                hint = "mpim"  # also private; and its name, Slack's list of handles, isn't kept
            where = await self.directory.where(
                client, tenant.tenant_id, body["channel_id"], hint, name
            )
        await self._record_readers(client, body, where)
        return where

    async def on_message(self, body: Payload, event: Payload, context: Any) -> None:
        if event.get("subtype") in CONVERSIONS:
            await self._converted(body, event, context)
            return
        if event.get("subtype") == DELETED:
            await self._message_deleted(body, event)
            return
        if event.get("bot_id") or event.get("subtype") not in (None, "thread_broadcast"):
            return  # edits, joins, bot posts: nothing a person said to us
        is_mention = event.get("type") == "app_mention"
        is_dm = event.get("channel_type") == "im"
        if not (is_mention or is_dm or event.get("thread_ts")):
            return  # plain channel chatter never reaches the core
        if not (is_mention or is_dm) and _mentions(event, context.bot_user_id):
            return  # in a channel, the app_mention event for the same message answers it

        client = self._client(context)
        tenant = translate.tenant_of(body)
        notice = recovery.Notice(tenant.tenant_id, client, event["user"])
        if not is_dm:
            notice.channel_id, notice.thread_ts = event["channel"], event.get("thread_ts")

        # A plain thread reply may be chatter the core ignores: it is retried but never
        # apologised for, or every reply in every thread would get one during an outage.
        told = notice if is_mention or is_dm else None

        answered = False

        async def work() -> None:
            nonlocal answered
            answered = await recovery.answer(
                self.gateway,
                "message",
                lambda: self._on_message(body, event, context),
                told,
                self.retry_delays,
            )

        try:
            await self.dedupe.once(body, work, self.retry_delays)
        except recovery.Unanswered:
            pass  # logged; the claim is given back, so a redelivery may still do it
        except NotClaimed:
            log.warning("slack: an event couldn't be claimed: the database didn't answer")
            if told is not None:
                with contextlib.suppress(recovery.Unanswered):
                    await recovery.tell(self.gateway, told)
        if answered and is_dm and changes_home(str(event.get("text") or "")):
            # A command typed in a DM ("forget-me confirm", "delete 2") runs as the slash
            # command does, and the App Home must stop showing what it took back just the same.
            await self._publish_home(client, tenant, event["user"])

    async def _on_message(
        self, body: Payload, event: Payload, context: Any
    ) -> tuple[Target, list[Any]]:
        client = self._client(context)
        tenant = translate.tenant_of(body)
        channel_id = event["channel"]
        # Slack won't redeliver an event it got its 200 for, and while a rate limit is in force
        # nobody can be told it was dropped: a lookup the limit refuses gives way to what is
        # stored (or, on first sight, the careful reading), and the event is still applied.
        try:
            where = await self.directory.where(
                client, tenant.tenant_id, channel_id, event.get("channel_type")
            )
        except RateLimited:
            where = await self._stored_where(body, channel_id, event.get("channel_type"))
        else:
            try:
                await self._record_readers(client, body, where)
            except RateLimited:
                log.info(
                    "slack: a channel's readers in %s not read while rate limited", tenant.tenant_id
                )
        try:
            user = await self.directory.user(
                client, tenant.tenant_id, event["user"], user_team=event.get("user_team")
            )
        except RateLimited:
            user = await self._stored_user(body, event["user"])
        link = await self.directory.permalink(
            client, tenant.tenant_id, channel_id, event["ts"], team_url(context)
        )
        message = translate.message(body, event, user, where, link=link)
        replies = await self.handle(message)
        # Answered (a change the core made was marked as it committed): cancelled from here on
        # (its answer on the way to Slack), the event is done, not given back for a retry to
        # store and answer again.
        committed()
        target = Target(
            tenant=tenant.tenant_id,
            client=client,
            user_id=user.user_id,
            where=where,
            thread_ts=event.get("thread_ts") or event["ts"],
            posted=functools.partial(self.bot.reply_posted, tenant),
        )
        return target, replies

    async def _stored_where(
        self, body: Payload, channel_id: str, channel_type: str | None
    ) -> translate.Where:
        """An event's channel while a rate limit keeps Slack from describing it: as stored, so
        what is written back is what was there (the readers are left as they are); on first
        sight private and shared, the careful reading a failed lookup has. A hint may narrow
        it, never widen it, as with a lookup."""
        tenant = translate.tenant_of(body)
        log.info("slack: a channel in %s read from storage while rate limited", tenant.tenant_id)
        hinted = translate.kind_of_channel_type(channel_type, channel_id)
        if hinted == ChannelKind.DIRECT:
            return translate.Where(channel_id=channel_id, kind=hinted)
        pk = await self.dedupe.tenant_pk(tenant, enterprise_of(body))
        async with self.db.transaction() as session:
            row = await repo.find_channel(session, tenant_id=pk, channel_id=channel_id)
            kept = None if row is None else (row.kind, row.name, row.shared)
        if kept is None:
            return translate.Where(channel_id=channel_id, kind=ChannelKind.PRIVATE, shared=True)
        kind, name, shared = ChannelKind(kept[0]), kept[1], kept[2]
        if hinted == ChannelKind.PRIVATE and kind == ChannelKind.PUBLIC:
            kind = ChannelKind.PRIVATE
        return translate.Where(channel_id=channel_id, kind=kind, name=name, shared=shared)

    async def _stored_user(self, body: Payload, user_id: str) -> UserRef:
        """An event's author while a rate limit keeps Slack from describing them: as stored
        (their guest flag, their name), so nothing new is written about them; on first sight a
        guest, the careful reading a failed lookup has. Admin rights aren't stored, so none
        are assumed."""
        tenant = translate.tenant_of(body)
        log.info("slack: a person in %s read from storage while rate limited", tenant.tenant_id)
        pk = await self.dedupe.tenant_pk(tenant, enterprise_of(body))
        async with self.db.transaction() as session:
            row = await repo.find_person(session, tenant_id=pk, user_id=user_id)
            kept = None if row is None else (row.display_name, row.guest)
        if kept is None:
            return UserRef(user_id=user_id, display_name=user_id, guest=True)
        return UserRef(user_id=user_id, display_name=kept[0] or user_id, guest=kept[1])


async def _acked(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for ``ack`` once the wrapper has acked."""


def _mentions(event: Payload, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}>" in (event.get("text") or "")


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())
