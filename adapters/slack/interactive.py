"""Shortcuts, buttons, modals and the App Home: what a person does by clicking.

Split from ``app.py`` (commands and messages) and mixed into ``SlackAdapter``; every surface
answers through ``recovery.answer``, so a failure after the ack is tried again, then told.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.app import Bot
from narrate_bot.events import ChannelKind, TenantRef
from narrate_bot.features import home
from narrate_bot.knowledge.clean_text import clean_text
from narrate_bot.replies import Reply, Visibility, quoted
from narrate_bot.routing import parse_command

from . import recovery, render, translate
from .dedupe import EventDedupe, enterprise_of
from .delivery import Respond, Target
from .gateway import SlackGateway
from .lifecycle import WorkspaceEvents

Payload = dict[str, Any]
# "Narrate this" on someone else's message: narrating is voluntary and personal, so another
# person's words are never kept as the clicker's (who-knows would credit them with it).
NOT_YOURS = (
    "That message is <@{author}>'s: only they can narrate it. You can narrate your own take "
    "with /narrate <what you're working on>."
)
NOT_YOURS_APP = (
    "That message was posted by an app, not by you, so it can't be one of your narrations. "
    "You can narrate your own take with /narrate <what you're working on>."
)
# A modal opened in a private channel, sent after its author was removed from it.
NO_LONGER_A_MEMBER = (
    "You're no longer a member of {channel}, so I didn't save your update there. Here is what "
    "you wrote, to keep or to send with /narrate <text> where you are now:"
)


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
        """The request's answer, or a word to the person when it keeps failing. A modal opened
        by the answer takes no more text than a narration may hold."""

        async def limited() -> tuple[Target, Sequence[Any]]:
            target, replies = await work()
            target.text_limit = self.bot.settings.max_narration_chars
            return target, replies

        try:
            return await recovery.answer(self.gateway, what, limited, notice, self.retry_delays)
        except recovery.Unanswered:
            return False  # logged: Slack couldn't be reached to tell them either

    async def _org_noted(self, tenant: TenantRef, body: Payload) -> None:
        """Note the workspace (and its Grid org) before the core acts: a click may be the first
        thing someone does in a workspace, and export and forget-me find an org-wide install's
        installer through the org recorded here (ADR 0009)."""
        await self.dedupe.tenant_pk(tenant, enterprise_of(body))

    async def _record_readers(
        self, client: AsyncWebClient, body: Payload, where: translate.Where
    ) -> tuple[str, ...] | None:
        """A private channel's readers, so its narrations reach exactly them: the list Slack
        gave (``()`` when the bot can't see it), or ``None`` when Slack wouldn't say."""
        if where.kind != ChannelKind.PRIVATE:
            return None
        tenant = translate.tenant_of(body)
        members = await self.directory.members(client, tenant.tenant_id, where.channel_id)
        if members is not None:
            await self.handle(
                translate.channel_described(
                    body,
                    {"channel": {"id": where.channel_id, "name": where.name}},
                    kind=where.kind,
                    members=members,
                    shared=where.shared,
                )
            )
        return members

    async def on_shortcut(self, ack: Any, body: Payload, context: Any, respond: Any) -> None:
        await ack()
        client = self._client(context)
        tenant = translate.tenant_of(body)
        respond = _response_url(body, respond)
        channel = body.get("channel") or {}
        msg = body.get("message") or {}

        author = translate.shortcut_author(body)
        if author != body["user"]["id"]:
            await self._not_yours(client, tenant, body, author, respond)
            return

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

    async def _not_yours(
        self,
        client: AsyncWebClient,
        tenant: TenantRef,
        body: Payload,
        author: str | None,
        respond: Respond | None,
    ) -> None:
        """Say, to the clicker only, that someone else's message isn't theirs to narrate.
        Nothing is looked up or kept: the core never hears of it."""
        user_id = body["user"]["id"]
        channel_id = str((body.get("channel") or {}).get("id") or user_id)
        kind = ChannelKind.DIRECT if channel_id.startswith("D") else ChannelKind.PRIVATE
        if author is None:
            reply = Reply(text=NOT_YOURS_APP)
        else:
            reply = Reply(text=NOT_YOURS.format(author=author), names={author: author})

        async def work() -> tuple[Target, list[Any]]:
            where = translate.Where(channel_id=channel_id, kind=kind)
            target = Target(
                tenant=tenant.tenant_id,
                client=client,
                user_id=user_id,
                where=where,
                respond=respond,
            )
            return target, [reply]

        notice = recovery.Notice(tenant.tenant_id, client, user_id, respond=respond)
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
        on_home = body.get("view", {}).get("type") == "home"

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
                home=on_home,
            )
            return target, replies

        notice = recovery.Notice(tenant.tenant_id, client, user_id, respond=respond)
        answered = await self._answer("button", work, notice)
        if answered and (on_home or changes_home(str(action.get("value", "")))):
            # The Home tab shows what the click changed: a forget-me confirmed in a DM empties
            # it too, or it would go on showing the erased narrations.
            await self._publish_home(client, tenant, user_id)

    async def on_form(self, ack: Any, body: Payload, context: Any) -> None:
        user_id = body["user"]["id"]
        text = translate.form_text(body)
        if not text.strip():
            await ack(
                response_action="errors",
                errors={translate.TEXT_BLOCK: "Write a line or two first."},
            )
            return
        limit = self.bot.settings.max_narration_chars
        length = len(clean_text(text))
        if length > limit:
            # Refused in the modal, which stays open with everything typed in it: once it
            # closes, the text exists nowhere else.
            await ack(
                response_action="errors",
                errors={
                    translate.TEXT_BLOCK: (
                        f"That's {length:,} characters; a narration can be up to {limit:,}. "
                        "Shorten it, or split it into a few narrations."
                    )
                },
            )
            return
        await ack()  # the modal closes now: a failure later is told in a DM, with the text
        client = self._client(context)
        tenant = translate.tenant_of(body)

        async def work() -> tuple[Target, list[Any]]:
            await self._org_noted(tenant, body)
            user = await self.directory.user(client, tenant.tenant_id, user_id)
            where = await self._form_channel(client, tenant, body)
            target = Target(tenant=tenant.tenant_id, client=client, user_id=user_id, where=where)
            members = await self._record_readers(client, body, where)
            if members and user_id not in members:
                return target, [self._no_longer_a_member(where, text)]
            event = translate.view_submission(body, user, now=self.bot.clock.now(), where=where)
            return target, await self.handle(event)

        notice = recovery.Notice(tenant.tenant_id, client, user_id, wrote=text)
        async with self.slots:
            answered = await self._answer("form", work, notice)
            if answered and translate.from_home(body):
                await self._publish_home(client, tenant, user_id)

    async def _form_channel(
        self, client: AsyncWebClient, tenant: TenantRef, body: Payload
    ) -> translate.Where:
        """Where a modal was opened, as Slack says it is now.

        The modal kept the channel's kind from when it opened, which may be stale by the time
        it is sent (a channel made private meanwhile): a submission must never widen who reads
        the channel, so anything but a DM is looked up afresh, never from the cache."""
        channel_id, kind, name = translate.form_where(body, body["user"]["id"])
        if kind == ChannelKind.DIRECT:
            return translate.Where(channel_id=channel_id, kind=kind, name=name)
        self.directory.forget_channel(tenant.tenant_id, channel_id)
        return await self.directory.where(client, tenant.tenant_id, channel_id, None, name)

    @staticmethod
    def _no_longer_a_member(where: translate.Where, text: str) -> Reply:
        name = f"#{where.name}" if where.name and " " not in where.name else "that conversation"
        # To their DM: they can't be answered in a channel they are no longer in.
        text = f"{NO_LONGER_A_MEMBER.format(channel=name)}\n{quoted(text)}"
        return Reply(text=text, visibility=Visibility.DIRECT)

    async def on_home(self, body: Payload, event: Payload, context: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        tenant = translate.tenant_of(body)
        await self._publish_home(self._client(context), tenant, event["user"])

    async def _publish_home(self, client: AsyncWebClient, tenant: TenantRef, user_id: str) -> None:
        page = await home.summary(self.db, tenant=tenant, user_id=user_id, now=self.bot.clock.now())
        view = render.home(page)
        await self.gateway.call(
            tenant.tenant_id,
            "views.publish",
            lambda: client.views_publish(user_id=user_id, view=view),
        )


# Commands that take back or change narrations the App Home may be showing: Slack keeps the
# view last published, so it would go on showing the erased, deleted or old words until the
# person next opens the tab.
HOME_CHANGES = frozenset({"forget_confirm", "delete", "edit"})


def changes_home(value: str) -> bool:
    """Whether a command (a button's, a slash command's or one typed in a DM) confirms a
    forget-me, deletes or edits a narration: the App Home is published again after it."""
    return parse_command(translate.command_text(value)).action in HOME_CHANGES
