"""What we look up about people and channels, cached briefly so a busy channel costs few calls.

Admins come from ``users.info`` (``is_admin`` / ``is_owner``), time zones from the profile,
a channel's kind from ``conversations.info`` and a private channel's readers from
``conversations.members``, asked afresh every time they are recorded: a cached list can't hear
a removal another replica was told of, and recording it would let the removed person back in.

A rate limit Slack keeps in force (``RateLimited``) is raised, never read as a failed lookup: a
member read as a guest, or a public channel as private and shared, would be answered wrongly and
stored so (a guest flag, a channel's kind). A command, click or form fails before the core runs,
and ``recovery`` tells them Slack asked to slow down and when to send it again. An event (a DM,
a mention, a thread reply), which Slack won't redeliver and nobody could be told of, falls back
to what is stored about them (``app.SlackAdapter._stored_where`` / ``_stored_user``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.events import ChannelKind, UserRef

from .gateway import SHARED_FLAGS, RateLimited, SlackGateway
from .refusals import error_code
from .translate import Where, Workspace, channel_name, kind_of_channel_type, user_ref

log = logging.getLogger(__name__)
TTL_SECONDS = 300.0
MEMBERS_PAGE = 200
# What conversations.members answers once the bot is no longer in the channel (or can't see it
# at all): it can't list the readers, and nobody but the authors may be assumed to read it.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
# What conversations.info answers when Slack itself failed for a moment (a 5xx, whose body may
# name no code): the stored row stands. Any other code says the bot can't see the channel (any
# more): deleted, made private without the bot in it (the convert event never reaches a
# non-member bot), a private channel the token has no scope for, or a code this list doesn't know
# yet. Then the channel is read as private, never wider than stored (``Directory._unanswered``):
# an unknown code must fail closed, not keep a "public" that may be stale.
PASSING = frozenset({"", "internal_error", "fatal_error", "request_timeout", "service_unavailable"})


class Directory:
    def __init__(self, gateway: SlackGateway, *, ttl: float = TTL_SECONDS) -> None:
        self.gateway = gateway
        self.ttl = ttl
        self._users: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._channels: dict[tuple[str, str], tuple[float, Where]] = {}
        # The workspace's Grid org, per tenant, once auth.test said (it never changes).
        self._orgs: dict[str, str | None] = {}

    def _fresh(self, stamp: float) -> bool:
        return time.monotonic() - stamp < self.ttl

    async def user_info(
        self, client: AsyncWebClient, tenant: str, user_id: str
    ) -> dict[str, Any] | None:
        cached = self._users.get((tenant, user_id))
        if cached and self._fresh(cached[0]):
            return cached[1]
        try:
            response = await self.gateway.call(
                tenant, "users.info", lambda: client.users_info(user=user_id)
            )
        except RateLimited:
            raise  # not an answer about them: see the module's docstring
        except SlackApiError as error:
            log.warning("users.info failed in %s: %s", tenant, error_code(error))
            return None
        info = dict(response.get("user") or {})
        self._users[(tenant, user_id)] = (time.monotonic(), info)
        return info

    async def user(
        self,
        client: AsyncWebClient,
        tenant: str,
        user_id: str,
        fallback_name: str = "",
        *,
        user_team: str | None = None,
    ) -> UserRef:
        """``user_team`` is the team an event says the person belongs to: a second witness that
        they come from another organisation, should ``users.info`` leave it out."""
        info = await self.user_info(client, tenant, user_id)
        if not info or not info.get("id"):
            # Slack won't describe them (an outside account, or a failed lookup): treat them as
            # a guest until it does, so nothing from the workspace is shown on a guess.
            return UserRef(user_id=user_id, display_name=fallback_name or user_id, guest=True)
        teams = {team for team in (info.get("team_id"), user_team) if team}
        org = None
        if teams - {tenant}:
            # Only a person from elsewhere costs a lookup: a colleague on another workspace of
            # the same Grid org is one of us, an outside organisation's member is not.
            org = await self._org(client, tenant)
        return user_ref(info, workspace=Workspace(team_id=tenant, enterprise_id=org), teams=teams)

    async def _org(self, client: AsyncWebClient, tenant: str) -> str | None:
        """The workspace's Grid org (``auth.test``), or ``None`` outside Grid or when Slack
        won't say: then only the workspace's own people count as members, the careful way."""
        if tenant in self._orgs:
            return self._orgs[tenant]
        if tenant.startswith("E"):
            self._orgs[tenant] = tenant  # an org-wide install's tenant is the org itself
            return tenant
        try:
            response = await self.gateway.call(tenant, "auth.test", lambda: client.auth_test())
        except RateLimited:
            raise  # not an answer about them: see the module's docstring
        except SlackApiError as error:
            log.warning("auth.test failed in %s: %s", tenant, error_code(error))
            return None
        org = response.get("enterprise_id") or None
        self._orgs[tenant] = org
        return org

    async def where(
        self,
        client: AsyncWebClient,
        tenant: str,
        channel_id: str,
        channel_type: str | None = None,
        name: str = "",
        *,
        shared_said: bool = False,
    ) -> Where:
        """The channel's kind, and whether people outside the workspace read it.

        A DM is settled by its id. Anything else is looked up (cached), because a payload's
        hint can't say "shared": a Slack Connect channel says ``channel`` or ``group`` like any
        other. A hint may still narrow the answer, never widen it. A failed lookup is no
        answer: what is stored stands (``_unanswered``); ``shared_said``: the payload itself
        says another organisation reads the channel (``channel_shared``).

        A group DM (``channel_type`` "mpim", ``is_mpim``, or Slack's ``mpdm-`` name) gets a
        neutral name: Slack's lists its members' handles (``translate.channel_name``).
        """
        hinted = kind_of_channel_type(channel_type, channel_id)
        group_dm = channel_type == "mpim"
        name = channel_name(name, group_dm=group_dm)
        if hinted == ChannelKind.DIRECT:
            return Where(channel_id=channel_id, kind=hinted, name=name)
        cached = self._channels.get((tenant, channel_id))
        if cached and self._fresh(cached[0]):
            return _narrowed(cached[1], hinted)
        try:
            response = await self.gateway.call(
                tenant, "conversations.info", lambda: client.conversations_info(channel=channel_id)
            )
            channel = response.get("channel") or {}
        except RateLimited:
            raise  # not an answer about the channel: see the module's docstring
        except SlackApiError as error:
            code = error_code(error)
            log.warning("conversations.info failed in %s: %s", tenant, code)
            unseen = code not in PASSING
            return await self._unanswered(tenant, channel_id, name, hinted, shared_said, unseen)
        shared = any(channel.get(flag) for flag in SHARED_FLAGS)
        if channel.get("is_im"):
            kind = ChannelKind.DIRECT
        elif channel.get("is_private") or channel.get("is_mpim") or shared:
            kind = ChannelKind.PRIVATE  # shared channels are read by other workspaces too
        else:
            kind = ChannelKind.PUBLIC
        where = Where(
            channel_id=channel_id,
            kind=kind,
            name=channel_name(
                channel.get("name", name) or name,
                group_dm=group_dm or bool(channel.get("is_mpim")),
            ),
            shared=shared,
        )
        self._channels[(tenant, channel_id)] = (time.monotonic(), where)
        return _narrowed(where, hinted)

    async def _unanswered(
        self,
        tenant: str,
        channel_id: str,
        name: str,
        hinted: ChannelKind | None,
        shared_said: bool,
        unseen: bool = False,
    ) -> Where:
        """The channel when ``conversations.info`` failed (a 5xx, ``channel_not_found``,
        ``internal_error``): as stored, so what the caller writes back is what was there. It
        answered "private and shared", which the event was then stored as: an internal public
        channel hid its narrations from people who could read them until a later lookup.

        On first sight (or when the payload says the channel is shared) private and shared,
        the careful reading, for this payload: a row stored so is read only by the people
        ``conversations.members`` lists (nobody, when it won't say), nothing from elsewhere is
        posted there, and the next lookup that answers overwrites its kind and sharing.
        Nothing is cached, so the next payload asks Slack again.

        ``unseen`` (any code but ``PASSING``: ``channel_not_found`` and the like) is an answer
        of sorts: the bot can't see the channel, which mostly means it was made private without
        the bot in it (or deleted). Keeping a stored "public" then showed what was narrated there
        to the whole workspace; the channel is narrowed to private (read only by whom
        ``conversations.members`` lists), its sharing kept as stored, never widened."""
        stored = None
        if unseen or not shared_said:
            stored = await self.gateway.stored_channel(tenant, channel_id)
        if stored is None:
            return Where(channel_id=channel_id, kind=ChannelKind.PRIVATE, name=name, shared=True)
        kept = Where(
            channel_id=channel_id,
            kind=stored.kind,
            name=stored.name or name,
            shared=bool(stored.shared) or shared_said,
        )
        if shared_said:
            kept = replace(kept, kind=ChannelKind.PRIVATE)
        if unseen:
            return _narrowed(kept, ChannelKind.PRIVATE)
        return _narrowed(kept, hinted)

    def forget_channel(self, tenant: str, channel_id: str) -> None:
        self._channels.pop((tenant, channel_id), None)

    async def members(
        self, client: AsyncWebClient, tenant: str, channel_id: str
    ) -> tuple[str, ...] | None:
        """Everyone who can read a private channel, or ``None`` when Slack won't say.

        Never cached: the list replaces the stored readers, and a copy kept here would restore
        someone whose removal another replica heard of. Tier 4 allows one call per command.
        Once the bot isn't in the channel Slack stops telling it who leaves, so "not in
        channel" means no known readers (``()``), not "unchanged".
        """
        found: list[str] = []
        cursor: str | None = None
        try:
            while True:
                page_cursor = cursor
                response = await self.gateway.call(
                    tenant,
                    "conversations.members",
                    lambda page_cursor=page_cursor: client.conversations_members(  # type: ignore[misc]
                        channel=channel_id, limit=MEMBERS_PAGE, cursor=page_cursor
                    ),
                )
                found += response.get("members") or []
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except RateLimited:
            raise  # "Slack won't say" would keep stale readers: see the module's docstring
        except SlackApiError as error:
            problem = error_code(error)
            log.warning("conversations.members failed in %s: %s", tenant, problem)
            return () if problem in NOT_A_MEMBER else None
        return tuple(found)

    async def permalink(
        self, client: AsyncWebClient, tenant: str, channel_id: str, ts: str, team_url: str = ""
    ) -> str | None:
        """Built from the workspace URL when known (no call); else ``chat.getPermalink``."""
        if team_url.startswith("https://") and ts:
            return f"{team_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
        try:
            response = await self.gateway.call(
                tenant,
                "chat.getPermalink",
                lambda: client.chat_getPermalink(channel=channel_id, message_ts=ts),
            )
        except SlackApiError as error:
            log.warning("chat.getPermalink failed in %s: %s", tenant, error_code(error))
            return None
        link = response.get("permalink")
        return str(link) if link else None


def _narrowed(where: Where, hinted: ChannelKind | None) -> Where:
    """A private hint wins over a public lookup: visibility only ever narrows."""
    if hinted == ChannelKind.PRIVATE and where.kind == ChannelKind.PUBLIC:
        return replace(where, kind=ChannelKind.PRIVATE)
    return where
