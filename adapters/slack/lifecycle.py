"""Workspace events: channels, memberships, profiles, conversions and the app's removal.

Split from ``app.py`` (which holds the person-facing listeners); mixed into ``SlackAdapter``.
Retention policy on ``app_uninstalled``: the installation and every row of the workspace are
erased at once, and SQLite's write-ahead log is emptied so the erased text (and the token)
can't still be read there. An org-wide install removed from its Enterprise Grid org erases every
workspace recorded as the org's (``slack.enterprise_id``); removed from some of the org's
workspaces only (``team_access_revoked``), it erases those.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import col, select

from narrate_bot.events import ChannelDescribed, ChannelKind, ChannelRef, Event, TenantRef
from narrate_bot.features import channels
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.privacy import erase_tenant, truncate_log
from narrate_bot.storage.tables import Tenant, TenantSetting

from . import recovery, translate
from .dedupe import EventDedupe, enterprise_of
from .directory import Directory
from .gateway import ENTERPRISE_KEY, RateLimited, SlackGateway
from .store import PLATFORM, DatabaseInstallationStore

log = logging.getLogger(__name__)
Payload = dict[str, Any]

# The message subtype Slack sends when a message is deleted (with the history scopes).
DELETED = "message_deleted"
# Message subtypes Slack posts in a channel when its type changes (with the history scopes).
CONVERSIONS = {
    "channel_convert_to_private": ChannelKind.PRIVATE,
    "channel_convert_to_public": ChannelKind.PUBLIC,
}


@dataclass
class Ids:
    """The installation key of a payload: an org-wide install has no team."""

    enterprise_id: str | None
    team_id: str | None


def _org_install(body: Payload) -> bool:
    """An org-wide install's event: Slack says so at the top or in its authorization."""
    if body.get("is_enterprise_install"):
        return True
    authorizations = body.get("authorizations") or []
    return bool(authorizations) and bool(authorizations[0].get("is_enterprise_install"))


def _ids(body: Payload) -> Ids:
    team = None if body.get("is_enterprise_install") else translate.tenant_of(body).tenant_id
    return Ids(enterprise_id=enterprise_of(body), team_id=team)


class WorkspaceEvents:
    """What happens to the workspace rather than what a person asks; no replies are sent."""

    db: Database
    dedupe: EventDedupe
    directory: Directory
    gateway: SlackGateway
    installations: DatabaseInstallationStore
    retry_delays: Sequence[float]

    async def handle(self, event: Event) -> list[Any]:
        raise NotImplementedError  # SlackAdapter's

    def _client(self, context: Any) -> AsyncWebClient:
        client = context.client
        assert isinstance(client, AsyncWebClient)
        return client

    async def _once(self, body: Payload, work: Callable[[], Awaitable[None]]) -> None:
        """Apply a workspace event once; a failure is tried again here (Slack has its 200 and
        won't redeliver), and there is nobody to tell when it keeps failing."""
        delays = self.retry_delays
        await self.dedupe.once(
            body, lambda: recovery.attempts(work, delays, "workspace event"), delays
        )

    async def _converted(self, body: Payload, event: Payload, context: Any) -> None:
        """A channel made private (or public): reclassify it, with its readers."""
        tenant = translate.tenant_of(body)
        channel_id = event.get("channel", "")
        kind = CONVERSIONS[event["subtype"]]

        async def work() -> None:
            when = translate.when(body.get("event_time"))
            await self._reclassified(self._client(context), tenant, channel_id, kind, when)

        await self._once(body, work)

    async def found_private(self, tenant: TenantRef, channel_id: str) -> None:
        """Slack lists as private a channel stored as public: made private while the
        conversion went unheard (its message needs the history scopes). Stored private with
        the readers Slack lists, as the conversion would be, so its narrations stop reaching
        everyone (``returning``, re-learning a returning person's channels); when Slack won't
        list them, the stored ones stay (never wider than private). Only while it is still
        stored as public, its readers only while the bot is in it (stored as removed, it is made
        private with none), and never recreating a workspace erased meanwhile
        (``channels.found_private``): Slack's list is older than what was stored meanwhile."""
        client = await self.gateway.client_for(tenant)
        self.directory.forget_channel(tenant.tenant_id, channel_id)
        members = await self._readers(client, tenant.tenant_id, channel_id)
        await channels.found_private(self.db, tenant=tenant, channel_id=channel_id, members=members)

    async def _reclassified(
        self,
        client: AsyncWebClient,
        tenant: TenantRef,
        channel_id: str,
        kind: ChannelKind,
        when: datetime,
    ) -> None:
        """Store the channel as ``kind``, with its readers when private (``None``, kept as
        stored, when Slack won't say: never wider than private)."""
        self.directory.forget_channel(tenant.tenant_id, channel_id)
        members = None
        if kind == ChannelKind.PRIVATE:
            members = await self._readers(client, tenant.tenant_id, channel_id)
        channel = ChannelRef(channel_id=channel_id, name="", kind=kind)
        await self.handle(
            ChannelDescribed(tenant=tenant, channel=channel, members=members, occurred_at=when)
        )

    async def _message_deleted(self, body: Payload, event: Payload) -> None:
        """A message deleted in a channel (heard only with the history scopes' ``message.*``
        events): one that was an open question's post closes that question."""
        deleted = translate.post_deleted(body, event)
        if deleted is None:
            return

        async def work() -> None:
            assert deleted is not None
            await self.handle(deleted)

        await self._once(body, work)

    async def on_channel_deleted(self, body: Payload, event: Payload) -> None:
        """``channel_deleted`` / ``group_deleted``: the channel is gone, with every post in it."""
        deleted = translate.channel_deleted(body, event)
        if deleted is None:
            return

        async def work() -> None:
            assert deleted is not None
            self.directory.forget_channel(deleted.tenant.tenant_id, deleted.channel_id)
            await self.handle(deleted)

        await self._once(body, work)

    async def on_sharing(self, body: Payload, event: Payload, context: Any) -> None:
        """A channel shared with another organisation (or no longer): read it again at once.

        Until this is heard, a channel shared a minute ago still looks internal (its lookup is
        kept 5 minutes), so a mention there would be answered in the channel, with internal
        evidence, for the other organisation to read. Shared, it is private to its members;
        unshared, it is whatever Slack now says.
        """
        tenant = translate.tenant_of(body)
        channel = event.get("channel")
        channel_id = channel.get("id", "") if isinstance(channel, dict) else str(channel or "")

        async def work() -> None:
            self.directory.forget_channel(tenant.tenant_id, channel_id)
            kind, shared = await self._kind(
                context,
                tenant.tenant_id,
                channel_id,
                None,
                sharing_event=event.get("type") == "channel_shared",
            )
            members = None
            if kind == ChannelKind.PRIVATE:
                members = await self._readers(self._client(context), tenant.tenant_id, channel_id)
            await self.handle(
                translate.channel_described(
                    body, {"channel": {"id": channel_id}}, kind=kind, members=members, shared=shared
                )
            )

        await self._once(body, work)

    async def on_membership(self, body: Payload, event: Payload, context: Any) -> None:
        tenant = translate.tenant_of(body)
        channel_id = event.get("channel", "")
        joined = event.get("type") == "member_joined_channel"

        async def work() -> None:
            self.directory.forget_channel(tenant.tenant_id, channel_id)
            kind, shared = await self._kind(
                context, tenant.tenant_id, channel_id, event.get("channel_type")
            )
            if event.get("user") == getattr(context, "bot_user_id", None):
                await self._bot_membership(body, context, channel_id, joined, kind, shared)
                return
            await self.handle(
                translate.membership(body, event, joined=joined, kind=kind, shared=shared)
            )

        await self._once(body, work)

    async def _bot_membership(
        self,
        body: Payload,
        context: Any,
        channel_id: str,
        joined: bool,
        kind: ChannelKind,
        shared: bool,
    ) -> None:
        """The bot itself joined or left: its readers are re-read, or forgotten.

        Out of a channel the bot hears of nobody leaving it, and ``conversations.members`` won't
        answer, so readers kept from before would keep seeing its narrations after Slack removed
        them: once it is out, nobody but their authors reads them (the core's rule for a private
        channel without members). Back in, the channel is read afresh, as it missed everything.
        """
        members: tuple[str, ...] | None = ()
        if joined:
            # ``None`` when Slack won't say yet: the readers stay, and the next command there
            # records them; that the bot is back is recorded now.
            members = await self._readers(
                self._client(context), translate.tenant_of(body).tenant_id, channel_id
            )
        await self.handle(
            translate.channel_described(
                body,
                {"channel": {"id": channel_id}},
                kind=kind,
                members=members,
                shared=shared,
                bot_in=joined,
            )
        )

    async def on_channel(self, body: Payload, event: Payload, context: Any) -> None:
        tenant = translate.tenant_of(body)
        channel = event.get("channel")
        channel_id = channel.get("id", "") if isinstance(channel, dict) else str(channel or "")
        hint = "G" if event.get("type", "").startswith("group_") else "C"

        async def work() -> None:
            self.directory.forget_channel(tenant.tenant_id, channel_id)
            kind, shared = await self._kind(context, tenant.tenant_id, channel_id, hint)
            await self.handle(translate.channel_described(body, event, kind=kind, shared=shared))

        await self._once(body, work)

    async def _kind(
        self,
        context: Any,
        tenant: str,
        channel_id: str,
        channel_type: str | None,
        *,
        sharing_event: bool = False,
    ) -> tuple[ChannelKind, bool]:
        """A channel event's kind and whether it is shared, as ``Directory.where`` settles them
        for every payload: "G" may narrow the lookup's answer, "C" (also what a Slack Connect
        channel says) never widens it. ``sharing_event``: the event is ``channel_shared``."""
        try:
            where = await self.directory.where(
                self._client(context), tenant, channel_id, channel_type, shared_said=sharing_event
            )
        except RateLimited:
            # Slack won't redeliver the event, and nobody asked to be told: it is applied now.
            # ``channel_shared`` says another organisation reads the channel: private to its
            # members and shared, whatever is stored (a mention there is then never answered
            # in the channel with internal evidence). Any other event (``channel_unshared``
            # too) keeps what is stored: no guess made under the limit is stored over it, and a
            # shared channel stays shared until a lookup says otherwise. On first sight, the
            # careful reading a failed lookup always had (private, and shared), which the next
            # lookup there corrects. A "G" hint still narrows it.
            log.info("slack: a channel event in %s read while rate limited", tenant)
            if sharing_event:
                return ChannelKind.PRIVATE, True
            stored = await self.directory.gateway.stored_channel(tenant, channel_id)
            if stored is None:
                return ChannelKind.PRIVATE, True
            kind = stored.kind
            hinted = translate.kind_of_channel_type(channel_type, channel_id)
            if kind == ChannelKind.PUBLIC and hinted == ChannelKind.PRIVATE:
                kind = ChannelKind.PRIVATE
            return kind, bool(stored.shared)
        return where.kind, where.shared

    async def _readers(
        self, client: AsyncWebClient, tenant: str, channel_id: str
    ) -> tuple[str, ...] | None:
        """A channel event's private readers (``Directory.members``); ``None`` ("Slack won't
        say": the kept ones stay) while a rate limit is in force, as Slack won't redeliver the
        event and it must still be applied (a person's request is refused instead)."""
        try:
            return await self.directory.members(client, tenant, channel_id)
        except RateLimited:
            log.info("slack: a channel's readers in %s not read while rate limited", tenant)
            return None

    async def on_user_change(self, body: Payload, event: Payload) -> None:
        changed = translate.profile(body, event)
        if changed is None:
            return
        known = await recovery.attempts(
            lambda: self._known(changed.tenant, changed.user.user_id),
            self.retry_delays,
            "workspace event",
        )
        if not known:
            return  # people who never used the bot are not recorded (nor their events claimed)

        async def work() -> None:
            assert changed is not None
            await self.handle(changed)

        await self._once(body, work)

    async def _known(self, tenant: TenantRef, user_id: str) -> bool:
        async with self.db.transaction() as session:
            row = await repo.ensure_tenant(
                session,
                platform=PLATFORM,
                external_id=tenant.tenant_id,
                name=tenant.name,
                now=datetime.now(UTC),
            )
            assert row.id is not None
            return await repo.find_person(session, tenant_id=row.id, user_id=user_id) is not None

    async def _profile(self, client: AsyncWebClient, tenant: TenantRef, user_id: str) -> None:
        """Take the person's time zone from their Slack profile once we know them."""
        info = await self.directory.user_info(client, tenant.tenant_id, user_id)
        if not info or not info.get("tz") or not await self._known(tenant, user_id):
            return
        changed = translate.profile({"team_id": tenant.tenant_id}, {"user": info})
        if changed is not None:
            try:
                await self.handle(changed)
            except ValueError:
                log.info("slack profile has an unknown time zone; kept the old one")

    async def on_uninstalled(self, body: Payload) -> None:
        """Retention policy: tokens and every row of the workspace are erased at once (tried
        again here when it fails: Slack won't send the event twice). An org-wide install
        removed from its Grid org takes every workspace of the org recorded with it."""
        await recovery.attempts(lambda: self._erase(body), self.retry_delays, "uninstall")

    async def on_team_access_revoked(self, body: Payload, event: Payload) -> None:
        """An org-wide install taken out of some of the org's workspaces (``team_ids``): each
        of them is erased as if the app were uninstalled there; the org's others keep theirs."""
        teams = [str(team) for team in event.get("team_ids") or [] if team]
        enterprise = enterprise_of(body)
        await recovery.attempts(
            lambda: self._erase_workspaces(enterprise, teams), self.retry_delays, "uninstall"
        )

    async def on_uninstalled_team(self, body: Payload, event: Payload) -> None:
        """``app_uninstalled_team``: this app removed from one workspace, or from a whole org
        (an ``E`` id). Slack also sends it to admin apps about other apps: those are ignored."""
        app_id = event.get("app_id")
        if app_id and body.get("api_app_id") and app_id != body.get("api_app_id"):
            return
        team = str(event.get("team_id") or "")
        if not team:
            return
        if team.startswith("E"):
            await recovery.attempts(
                lambda: self._erase_org(team, []), self.retry_delays, "uninstall"
            )
            return
        enterprise = enterprise_of(body)
        await recovery.attempts(
            lambda: self._erase_workspaces(enterprise, [team]), self.retry_delays, "uninstall"
        )

    async def _erase(self, body: Payload) -> None:
        ids = _ids(body)
        named = translate.tenant_of(body).tenant_id
        if ids.enterprise_id and (
            ids.team_id is None or _org_install(body) or named == ids.enterprise_id
        ):
            await self._erase_org(ids.enterprise_id, [named] if named else [])
            return
        await self._erase_workspaces(ids.enterprise_id, [named])

    async def _erase_org(self, enterprise_id: str, named: Sequence[str]) -> None:
        """Every workspace of the org we hold anything for, the org's own rows, and then its
        installation (the token last: never a token left without the rows it reads)."""
        # The org's own tenant last: its rows hold the org-wide installation (the token).
        workspaces = [*named, *await self._org_workspaces(enterprise_id)]
        keys = [*dict.fromkeys(k for k in workspaces if k != enterprise_id), enterprise_id]
        removed = 0
        for key in keys:
            removed += await self._erase_tenant(key)
        for key in keys:
            team = None if key == enterprise_id else key
            await self.installations.async_delete_bot(enterprise_id=enterprise_id, team_id=team)
        await truncate_log(self.db)  # the log still holds the erased pages (no-op off SQLite)
        log.info(
            "slack org %s uninstalled: %d workspaces, %d narrations erased",
            enterprise_id,
            len(keys),
            removed,
        )

    async def _erase_workspaces(self, enterprise_id: str | None, teams: Sequence[str]) -> None:
        removed = 0
        for team in dict.fromkeys(teams):
            # The workspace's rows go first, in one transaction that also cascades to its
            # installation rows: once the token is gone, so is everything else (never the
            # reverse).
            removed += await self._erase_tenant(team)
            team_id = None if enterprise_id and team == enterprise_id else team
            await self.installations.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await truncate_log(self.db)  # the log still holds the erased pages (no-op off SQLite)
        log.info("slack workspace %s uninstalled: %d narrations erased", ",".join(teams), removed)

    async def _erase_tenant(self, key: str) -> int:
        """Every row of one workspace (its narrations, people, settings), in one transaction."""
        async with self.db.transaction() as session:
            row = await repo.ensure_tenant(
                session, platform=PLATFORM, external_id=key, name="", now=datetime.now(UTC)
            )
            assert row.id is not None
            removed = await erase_tenant(session, tenant_id=row.id, dialect=self.db.dialect)
        self.dedupe.forget(key)
        self.dedupe.gateway.enterprise_of.pop(key, None)
        return removed

    async def _org_workspaces(self, enterprise_id: str) -> list[str]:
        """The workspaces recorded as the org's (``ENTERPRISE_KEY``, noted on first sight)."""
        async with self.db.transaction() as session:
            rows = await session.exec(
                select(Tenant.external_id)
                .join(TenantSetting, col(TenantSetting.tenant_id) == col(Tenant.id))
                .where(
                    col(Tenant.platform) == PLATFORM,
                    col(TenantSetting.key) == ENTERPRISE_KEY,
                    col(TenantSetting.value) == enterprise_id,
                )
            )
            return sorted(str(key) for key in rows.all())

    async def on_tokens_revoked(self, body: Payload, event: Payload) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return
        ids = _ids(body)
        await self.installations.async_delete_bot(
            enterprise_id=ids.enterprise_id, team_id=ids.team_id
        )
        await truncate_log(self.db)  # nor a revoked token
        log.info("slack bot token revoked for %s", ids.team_id)
