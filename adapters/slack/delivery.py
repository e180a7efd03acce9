"""Where each of the core's replies goes in Slack, and how.

PRIVATE → the slash command's ``response_url`` when there is one, else ``chat.postEphemeral``;
DIRECT → a DM (``chat.postMessage`` to the user id); CHANNEL → the channel, in the asking
message's thread when ``in_thread``. A form opens a modal while the ``trigger_id`` is fresh, else
a button that opens it. An export goes to the person's DM as a file (files.uploadV2), or as a DM
message holding the JSON when uploading fails.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.replies import Attachment, Button, Reply, Visibility

from . import render
from .gateway import SlackGateway
from .translate import Where

log = logging.getLogger(__name__)
Respond = Callable[..., Awaitable[Any]]
OPEN_FORM = Button(label="Write my update", command="/narrate")


@dataclass
class Target:
    """The context a reply answers: who asked, where, and the handles Slack gave us."""

    tenant: str
    client: AsyncWebClient
    user_id: str
    where: Where
    thread_ts: str | None = None
    trigger_id: str | None = None
    respond: Respond | None = None


async def deliver(gateway: SlackGateway, target: Target, replies: Sequence[Reply]) -> None:
    for reply in replies:
        if reply.form is not None and target.trigger_id:
            view = render.modal(reply.form, target.where)
            trigger = target.trigger_id
            target.trigger_id = None  # a trigger opens one modal
            try:
                await gateway.call(
                    target.tenant,
                    lambda view=view, trigger=trigger: target.client.views_open(  # type: ignore[misc]
                        trigger_id=trigger, view=view
                    ),
                )
                continue
            except SlackApiError as error:
                log.warning("views.open failed: %s", error.response.get("error"))
        buttons = reply.buttons
        if reply.form is not None and OPEN_FORM not in buttons:
            buttons = (*buttons, OPEN_FORM)
        await _send_text(gateway, target, reply, buttons)
        if reply.attachment is not None:
            await _send_file(gateway, target, reply.attachment)


async def _send_text(
    gateway: SlackGateway, target: Target, reply: Reply, buttons: tuple[Button, ...]
) -> None:
    payload = render.message(reply.text, buttons, mentions=reply.names)
    client = target.client
    if reply.visibility == Visibility.PRIVATE and target.where.kind.value == "direct":
        reply = reply.model_copy(update={"visibility": Visibility.DIRECT})
    match reply.visibility:
        case Visibility.PRIVATE if target.respond is not None:
            await target.respond(response_type="ephemeral", replace_original=False, **payload)
        case Visibility.PRIVATE:
            await gateway.call(
                target.tenant,
                lambda: client.chat_postEphemeral(
                    channel=target.where.channel_id, user=target.user_id, **payload
                ),
            )
        case Visibility.DIRECT:
            await gateway.call(
                target.tenant, lambda: client.chat_postMessage(channel=target.user_id, **payload)
            )
        case Visibility.CHANNEL:
            if reply.in_thread and target.thread_ts:
                payload["thread_ts"] = target.thread_ts
            await gateway.call(
                target.tenant,
                lambda: client.chat_postMessage(channel=target.where.channel_id, **payload),
            )


async def _send_file(gateway: SlackGateway, target: Target, attachment: Attachment) -> None:
    client = target.client
    try:
        opened = await gateway.call(
            target.tenant, lambda: client.conversations_open(users=target.user_id)
        )
        dm = opened["channel"]["id"]
        await gateway.call(
            target.tenant,
            lambda: client.files_upload_v2(
                channel=dm,
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
            ),
        )
        return
    except SlackApiError as error:
        log.warning(
            "file upload failed, sending the export as text: %s", error.response.get("error")
        )
    body = attachment.content.decode("utf-8", errors="replace")
    text = f"Your export ({attachment.filename}):\n```{body}```"
    await gateway.call(
        target.tenant,
        lambda: client.chat_postMessage(channel=target.user_id, **render.message(text, ())),
    )
