"""Shortcuts, buttons, modals and the App Home: what a person does by clicking.

Split from ``app.py`` (commands and messages) and mixed into ``SlackAdapter``; every surface
answers through ``recovery.answer``, so a failure after the ack is tried again, then told.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.app import Bot
from narrate_bot.events import ChannelKind, TenantRef
from narrate_bot.features import home

from . import recovery, render, translate
from .dedupe import EventDedupe, enterprise_of
from .delivery import Respond, Target
from .gateway import SlackGateway
from .lifecycle import WorkspaceEvents

Payload = dict[str, Any]


def team_url(context: Any) -> str:
    """``https://acme.slack.com/`` when Bolt's auth.test told us (single-workspace mode)."""
    result = getattr(context, "authorize_result", None)
    return str(getattr(result, "url", None) or "")


def _response_url(body: Payload, respond: Any) -> Respond | None:
    """Bolt's ``respond`` when the payload carries a ``response_url``, else ``None``.

    A private answer through the ``response_url`` reaches the person in any conversation they
    clicked in, including a channel the bot was never invited to, where Slack refuses the bot's
    ``chat.postEphemeral`` (``not_in_channel``). A click in the App Home or a modal has none.
    """
    return respond if body.get("response_url") else None


class InteractiveSurfaces(WorkspaceEvents):
    """The listeners for clicks and submissions, and the shared way every request answers."""

    bot: Bot
    gateway: SlackGateway
    dedupe: EventDedupe
    slots: asyncio.Semaphore

    async def _answer(self, what: str, work: recovery.Work, notice: recovery.Notice) -> bool:
        """The request's answer, or a word to the person when it keeps failing."""
        try:
            return await recovery.answer(self.gateway, what, work, notice, self.retry_delays)
        except recovery.Unanswered:
            return False  # logged: Slack couldn't be reached to tell them either

    async def _org_noted(self, tenant: TenantRef, body: Payload) -> None:
        """Note the workspace (and its Grid org) before the core acts: a click may be the first
        thing someone does in a workspace, and export and forget-me find an org-wide install's
        installer through the org recorded here (ADR 0009)."""
        await self.dedupe.tenant_pk(tenant, enterprise_of(body))

    async def on_shortcut(self, ack: Any, body: Payload, context: Any, respond: Any) -> None:
        await ack()
        client = self._client(context)
        tenant = translate.tenant_of(body)
        respond = _response_url(body, respond)
        channel = body.get("channel") or {}
        msg = body.get("message") or {}

        async def work() -> tuple[Target, list[Any]]:
            await self._org_noted(tenant, body)
            where = await self.directory.where(
                client, tenant.tenant_id, channel.get("id", ""), None, channel.get("name", "")
            )
            user = await self.directory.user(client, tenant.tenant_id, body["user"]["id"])
            link = await self.directory.permalink(
                client, tenant.tenant_id, where.channel_id, msg.get("ts", ""), team_url(context)
            )
            event = translate.shortcut(body, user, where, link=link, now=self.bot.clock.now())
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

        notice = recovery.Notice(tenant.tenant_id, client, body["user"]["id"], respond=respond)
        await self._answer("shortcut", work, notice)

    async def on_button(
        self, ack: Any, body: Payload, action: Payload, context: Any, respond: Any
    ) -> None:
        await ack()
        client = self._client(context)
        tenant = translate.tenant_of(body)
        respond = _response_url(body, respond)
        user_id = body["user"]["id"]
        channel = body.get("channel") or {}

        async def work() -> tuple[Target, list[Any]]:
            await self._org_noted(tenant, body)
            if channel.get("id"):
                where = await self.directory.where(client, tenant.tenant_id, channel["id"])
            else:  # a button on the App Home: answers go to the person's DM
                where = translate.Where(channel_id=user_id, kind=ChannelKind.DIRECT)
            user = await self.directory.user(client, tenant.tenant_id, user_id)
            event = translate.button(body, action, user, where, now=self.bot.clock.now())
            replies = await self.handle(event)
            target = Target(
                tenant=tenant.tenant_id,
                client=client,
                user_id=user_id,
                where=where,
                trigger_id=body.get("trigger_id"),
                respond=respond,
            )
            return target, replies

        notice = recovery.Notice(tenant.tenant_id, client, user_id, respond=respond)
        answered = await self._answer("button", work, notice)
        if answered and body.get("view", {}).get("type") == "home":
            await self._publish_home(client, tenant, user_id)

    async def on_form(self, ack: Any, body: Payload, context: Any) -> None:
        user_id = body["user"]["id"]
        values = body["view"]["state"]["values"]
        text = ((values.get(translate.TEXT_BLOCK) or {}).get(translate.TEXT_INPUT) or {}).get(
            "value"
        ) or ""
        if not text.strip():
            await ack(
                response_action="errors",
                errors={translate.TEXT_BLOCK: "Write a line or two first."},
            )
            return
        await ack()  # the modal closes now: a failure later is told in a DM, with the text
        client = self._client(context)
        tenant = translate.tenant_of(body)

        async def work() -> tuple[Target, list[Any]]:
            await self._org_noted(tenant, body)
            user = await self.directory.user(client, tenant.tenant_id, user_id)
            event = translate.view_submission(body, user, now=self.bot.clock.now())
            replies = await self.handle(event)
            where = translate.Where(
                channel_id=event.channel.channel_id,
                kind=event.channel.kind,
                name=event.channel.name,
            )
            target = Target(tenant=tenant.tenant_id, client=client, user_id=user_id, where=where)
            return target, replies

        notice = recovery.Notice(tenant.tenant_id, client, user_id, wrote=text)
        async with self.slots:
            await self._answer("form", work, notice)

    async def on_home(self, body: Payload, event: Payload, context: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        tenant = translate.tenant_of(body)
        await self._publish_home(self._client(context), tenant, event["user"])

    async def _publish_home(self, client: AsyncWebClient, tenant: TenantRef, user_id: str) -> None:
        page = await home.summary(self.db, tenant=tenant, user_id=user_id, now=self.bot.clock.now())
        view = render.home(page)
        await self.gateway.call(
            tenant.tenant_id, lambda: client.views_publish(user_id=user_id, view=view)
        )
