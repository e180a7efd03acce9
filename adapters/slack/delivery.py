"""Where each of the core's replies goes in Slack, and how.

PRIVATE → the ``response_url`` of the command, shortcut or click when there is one, else
``chat.postEphemeral``, else (a channel the bot isn't in, where Slack refuses that) a DM;
DIRECT → a DM (``chat.postMessage`` to the user id); CHANNEL → the channel, in the asking
message's thread when ``in_thread``. A form opens a modal while the ``trigger_id`` is fresh, else
a button that opens it. An export goes to the person's DM as a file (files.uploadV2). When that
fails, a small export comes as plain text in one DM message; a larger one never does (Slack
refuses a message's blocks past about 12,000 characters, and a cut JSON is no export): the
person is told it didn't arrive and how to ask again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.replies import Attachment, Button, Post, Reply, Visibility

from . import later, render
from .gateway import RateLimited, SlackGateway
from .refusals import NOT_POSTABLE_HERE, error_code
from .translate import Where

log = logging.getLogger(__name__)
Respond = Callable[..., Awaitable[Any]]
Posted = Callable[[Reply, Post, str], Awaitable[None]]
OPEN_FORM = Button(label="Write my update", command="/narrate")
# An export this small (one plain-text section) may come as a message when the file can't.
INLINE_EXPORT_CHARS = 2500
EXPORT_AS_TEXT = "I couldn't upload your export as a file, so here it is as text ({name}):"
EXPORT_FAILED = (
    "I couldn't upload your export as a file just now, so you haven't received it. Please try "
    "again in a few minutes with `/narrate export`, or with the *Export my data* button in my "
    "Home tab."
)


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
    text_limit: int = render.TEXT_CHARS  # the longest narration a modal opened here may take
    home: bool = False  # asked from the App Home, which shows what a modal saves
    # Tells the core where a reply quoting narrations went (``Bot.reply_posted``), so their
    # edits and deletes reach it; ``None`` where no such reply is answered (not a message).
    posted: Posted | None = None
    responded: int = 0  # answers sent to the ``response_url`` (Slack takes 5)


async def deliver(gateway: SlackGateway, target: Target, replies: Sequence[Reply]) -> None:
    """Send the core's replies in order. One a rate limit in force refuses (``RateLimited``),
    and every one after it, is kept for when the limit has passed (``later``); so are all of
    them while earlier replies to this person in this conversation still wait, to keep their
    order."""
    queue_all = bool(replies) and await later.waiting(gateway, target)
    for i, reply in enumerate(replies):
        if queue_all:
            await later.queue(gateway, target, _kept(replies[i:]), 0.0)
            return
        if reply.form is not None and target.trigger_id:
            view = render.modal(
                reply.form, target.where, max_chars=target.text_limit, home=target.home
            )
            trigger = target.trigger_id
            target.trigger_id = None  # a trigger opens one modal
            try:
                await gateway.call(
                    target.tenant,
                    "views.open",
                    lambda view=view, trigger=trigger: target.client.views_open(  # type: ignore[misc]
                        trigger_id=trigger, view=view
                    ),
                )
                continue
            except SlackApiError as error:
                log.warning("views.open failed: %s", error_code(error))
        try:
            await _send_text(gateway, target, reply, _buttons(reply))
        except RateLimited as refused:
            log.info("slack: a reply refused by a rate limit in force; kept for later")
            await later.queue(gateway, target, _kept(replies[i:]), refused.seconds)
            return
        if reply.attachment is not None:
            await _send_file(gateway, target, reply.attachment)


def _buttons(reply: Reply) -> tuple[Button, ...]:
    """A reply's buttons; one that asks for a form the app can't open now offers it."""
    buttons = reply.buttons
    if reply.form is not None and OPEN_FORM not in buttons:
        buttons = (*buttons, OPEN_FORM)
    return buttons


def _kept(replies: Sequence[Reply]) -> list[tuple[Reply, tuple[Button, ...]]]:
    """Replies to keep for later, each with the buttons it shows (a form is a button then:
    its ``trigger_id`` is long gone). An attachment (an export's file) isn't kept: the person
    asks for it again."""
    return [(reply, _buttons(reply)) for reply in replies]


async def _send_text(
    gateway: SlackGateway, target: Target, reply: Reply, buttons: tuple[Button, ...]
) -> None:
    payload = render.message(reply.text, buttons, mentions=reply.names)
    client = target.client
    if reply.visibility == Visibility.PRIVATE and target.where.kind.value == "direct":
        reply = reply.model_copy(update={"visibility": Visibility.DIRECT})
    match reply.visibility:
        case Visibility.PRIVATE:
            sent = await _send_private(gateway, target, payload)
            if sent is not None:  # their DM: a message like any other
                await _report(target, reply, buttons, sent, to_user=True)
        case Visibility.DIRECT:
            sent = await gateway.call(
                target.tenant,
                "chat.postMessage",
                lambda: client.chat_postMessage(channel=target.user_id, **payload),
            )
            await _report(target, reply, buttons, sent, to_user=True)
        case Visibility.CHANNEL:
            if reply.in_thread and target.thread_ts:
                payload["thread_ts"] = target.thread_ts
            sent = await gateway.call(
                target.tenant,
                "chat.postMessage",
                lambda: client.chat_postMessage(channel=target.where.channel_id, **payload),
            )
            await _report(target, reply, buttons, sent, to_user=False, thread=payload)


async def _report(
    target: Target,
    reply: Reply,
    buttons: tuple[Button, ...],
    sent: Any,
    *,
    to_user: bool,
    thread: dict[str, Any] | None = None,
) -> None:
    """A reply quoting narrations (a who-knows answer), posted as a message ``chat.update``
    can edit: the core is told its ``ts`` and where it is. An ephemeral one is never told: Slack
    edits none later, and it is the asker's alone."""
    if not reply.quotes or target.posted is None:
        return
    ts = sent.get("ts") if sent is not None else None
    if not ts:
        return
    common: dict[str, Any] = {"text": reply.text, "names": reply.names, "buttons": buttons}
    if to_user:
        post = Post(to_users=(target.user_id,), **common)
    else:
        thread_ts = (thread or {}).get("thread_ts")
        post = Post(channel_id=target.where.channel_id, thread_of=thread_ts, **common)
    await target.posted(reply, post, str(ts))


async def _send_private(
    gateway: SlackGateway, target: Target, payload: dict[str, Any]
) -> Any | None:
    """A reply for the asking person only, wherever they asked: Slack's answer when it went to
    their DM as a message, ``None`` when it is ephemeral.

    The ``response_url`` works in any conversation they used; ``chat.postEphemeral`` only
    where the bot may post, so in a channel the bot was never invited to (or a DM between
    people) Slack refuses it and the reply comes in the person's own DM instead. It is theirs
    alone, so it never falls back to the channel, and a DM to the asker shows it to nobody else.
    """
    client = target.client
    if target.respond is not None:
        sent = await target.respond(response_type="ephemeral", replace_original=False, **payload)
        target.responded += 1
        status = int(getattr(sent, "status_code", 200))
        if status < 400:
            return None
        # Expired (30 minutes) or used up (5 answers): Slack posted nothing, so try the API.
        log.warning("slack: the response_url refused a private answer (%d)", status)
    try:
        await gateway.call(
            target.tenant,
            "chat.postEphemeral",
            lambda: client.chat_postEphemeral(
                channel=target.where.channel_id, user=target.user_id, **payload
            ),
        )
        return None
    except SlackApiError as error:
        code = error_code(error)
        if code not in NOT_POSTABLE_HERE:
            raise
        log.info("slack: can't answer privately in that conversation (%s); sending a DM", code)
    return await gateway.call(
        target.tenant,
        "chat.postMessage",
        lambda: client.chat_postMessage(channel=target.user_id, **payload),
    )


async def _send_file(gateway: SlackGateway, target: Target, attachment: Attachment) -> None:
    client = target.client
    try:
        opened = await gateway.call(
            target.tenant,
            "conversations.open",
            lambda: client.conversations_open(users=target.user_id),
        )
        dm = opened["channel"]["id"]
        await gateway.call(
            target.tenant,
            "files.uploadV2",
            lambda: client.files_upload_v2(
                channel=dm,
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
            ),
        )
        return
    except SlackApiError as error:
        log.warning("slack: the export's file upload failed: %s", error_code(error))
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("slack: the export's file upload failed: %s", type(error).__name__)
    body = attachment.content.decode("utf-8", errors="replace")
    if len(body) <= INLINE_EXPORT_CHARS:
        # Plain text: the JSON exactly, with no markup in it acted on.
        payload = render.message(EXPORT_AS_TEXT.format(name=attachment.filename))
        payload["blocks"] = [*payload["blocks"], *render.verbatim(body)]
    else:
        payload = render.message(EXPORT_FAILED)
    await gateway.call(
        target.tenant,
        "chat.postMessage",
        lambda: client.chat_postMessage(channel=target.user_id, **payload),
    )
