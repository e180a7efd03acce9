"""Replies to people's events that a rate limit refused, kept and sent once it has passed.

Slack sends an event (a DM, a mention, a command, a click) once: a reply the workspace's limiter
refuses (``RateLimited``: a long ``Retry-After`` is not slept on) was only logged, and the
person never heard back. Now it is queued in the core's outbox (``features.queued_replies``),
due when the block ends, with every later reply of that event; the same person's later replies
in the same conversation queue behind it while any waits, so they arrive in order (someone
else's are not held back by it). The tick sends it once (the outbox's claim), through
``send_queued``:

* an answer quoting narrations, or a reply showing them without quoting them (a profile,
  "mine", who could help after a narration, ``/narrate edit``'s offer: ``Reply.shown``), is
  checked first (``Bot.reply_still_holds``): one deleted or edited meanwhile, or no longer
  readable where it goes, and a note asking them to ask again goes instead (``ASK_AGAIN``,
  ``Reply.if_kept``); "Did this answer help?" (``Reply.after_answer``) then doesn't go at all;
* the place is looked at afresh: a private channel the person has left, or one the app is out
  of, gets nothing; a reply for a channel's readers isn't posted when the channel now has more
  of them (made public, shared with another organisation) or is archived. A group DM isn't
  looked at (the app has no mpim:read): Slack's refusal of the post itself drops it, and a
  private answer there never goes to a DM instead. Elsewhere a lookup refused for good
  (``missing_scope`` too) drops a channel answer;
* a private answer stays private: the command's ``response_url`` while Slack still takes it
  (30 minutes, 5 answers: kept under both), else ``chat.postEphemeral``, else the person's DM
  when the channel refuses ephemeral posts; never the channel;
* a DM answer goes to the DM.

The ``response_url`` is kept with the queued reply (never logged) and dropped with it when it is
sent or given up.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from narrate_bot.events import ChannelKind, TenantRef
from narrate_bot.features import answer_copies
from narrate_bot.features.answer_copies import ASK_AGAIN
from narrate_bot.replies import Button, Post, Reply, Visibility
from narrate_bot.storage import repositories as repo
from narrate_bot.storage import schedules as store

from . import render
from .refusals import NOT_POSTABLE_HERE, error_code, passing, post_refused, retry_after
from .store import PLATFORM
from .translate import GROUP_DM_NAME

if TYPE_CHECKING:
    from .delivery import Target
    from .gateway import SlackGateway

log = logging.getLogger(__name__)
# Slack takes a ``response_url`` "up to 5 times within 30 minutes"; kept under both, since the
# time is counted from when the reply was queued, seconds after the command.
RESPONSE_URL_FOR = timedelta(minutes=25)
RESPONSE_URL_USES = 5
PLACE_CHARS = 16  # ``schedule_send.slot``
# How long after kept replies are due later answers in the workspace still check for them:
# past the tick that sends them, and a few of its retries.
KEPT_LOOKUP = timedelta(minutes=30)
SHARED_FLAGS = ("is_ext_shared", "is_org_shared", "is_shared")


def place_of(target: Target) -> str:
    """Whose answers in which conversation a reply is one of: a queue's order is kept per
    conversation and asker. Per conversation alone, once one person's answer in #general was
    kept, everyone else's answer there waited behind it for the whole block, even one through
    a command's ``response_url``, which no block closes. A digest: it fits the slot, and the
    slot names nobody."""
    key = f"{target.where.channel_id}/{target.user_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:PLACE_CHARS]


def _now(gateway: SlackGateway) -> datetime:
    return gateway.clock.now() if gateway.clock is not None else datetime.now(UTC)


async def _tenant_pk(gateway: SlackGateway, tenant: str) -> int | None:
    async with gateway.db.snapshot() as session:
        row = await repo.find_tenant(session, platform=PLATFORM, external_id=tenant)
        return None if row is None else row.id


async def waiting(gateway: SlackGateway, target: Target) -> bool:
    """Whether replies to this person in this conversation are queued still: a later one
    waits behind them.
    Read (a snapshot: no write lock on SQLite) only while this process kept replies in the
    workspace lately or a method is closed there, so an answer otherwise costs no query. The
    block is per process: another replica, not held back, answers at once."""
    kept = gateway.kept_until.get(target.tenant)
    recent = kept is not None and _now(gateway) < kept
    if not recent and gateway.limiter(target.tenant).closed_for() <= 0:
        return False
    async with gateway.db.snapshot() as session:
        row = await repo.find_tenant(session, platform=PLATFORM, external_id=target.tenant)
        if row is None or row.id is None:
            return False
        latest = await store.replies_waiting(session, tenant_id=row.id, place=place_of(target))
    return latest is not None


def _kept(reply: Reply, buttons: tuple[Button, ...]) -> Reply:
    return reply.model_copy(update={"buttons": buttons, "form": None, "attachment": None})


def _stored(reply: Reply) -> Any:
    """The reply as kept, leaving out what is at its default: a field added later (``Named.topic``)
    then reaches the database only where it is used, so a replica one version older, whose
    ``Reply`` forbids keys it doesn't know, still reads and sends the rest during a rolling
    deploy (it gave each such reply up with the "couldn't deliver" note)."""
    return json.loads(reply.model_dump_json(exclude_defaults=True))


def _payload(
    target: Target,
    reply: Reply,
    buttons: tuple[Button, ...],
    *,
    uses: int,
    until: datetime,
    answer: Reply | None = None,
) -> str:
    """``answer``: the reply ``reply`` is about (``Reply.after_answer``), checked again at send
    time as its own send checks it, so "Did this answer help?" never follows a note."""
    url = getattr(target.respond, "response_url", None) if target.respond is not None else None
    return json.dumps(
        {
            "reply": _stored(_kept(reply, buttons)),
            "answer": None if answer is None else _stored(answer),
            "user": target.user_id,
            "channel": target.where.channel_id,
            "kind": target.where.kind.value,
            "shared": target.where.shared,
            "group_dm": target.where.name == GROUP_DM_NAME,
            "thread_ts": target.thread_ts,
            "response_url": url if isinstance(url, str) and url else None,
            "response_url_until": until.isoformat(),
            "response_url_uses": uses,
            "report": target.posted is not None,
        }
    )


async def queue(
    gateway: SlackGateway,
    target: Target,
    replies: list[tuple[Reply, tuple[Button, ...]]],
    seconds: float,
) -> None:
    """Keep ``replies`` (each with the buttons it shows), in order, to be sent ``seconds`` from
    now, or after the replies to the same person in that conversation queued before them."""
    now = _now(gateway)
    pk = await _tenant_pk(gateway, target.tenant)
    if pk is None:
        log.warning("slack: a refused reply in %s can't be kept: no tenant", target.tenant)
        return
    payloads = [
        _payload(
            target,
            reply,
            buttons,
            uses=target.responded + i,
            until=now + RESPONSE_URL_FOR,
            answer=_kept(*replies[i - 1]) if reply.after_answer and i > 0 else None,
        )
        for i, (reply, buttons) in enumerate(replies)
    ]
    async with gateway.db.transaction() as session:
        if not await answer_copies.may_keep_for(
            session, tenant_id=pk, user_id=target.user_id, replies=[r for r, _ in replies]
        ):
            log.info("slack: a refused answer in %s not kept: its asker was forgotten", pk)
            return
        person = await repo.find_person(session, tenant_id=pk, user_id=target.user_id)
        queued = await store.queue_replies(
            session,
            tenant_id=pk,
            person_id=None if person is None else person.id,
            place=place_of(target),
            payloads=payloads,
            due_at=now + timedelta(seconds=max(seconds, 0.0)),
            now=now,
            dialect=gateway.db.dialect,
            follows=[r.after_answer for r, _ in replies],
        )
    # Later answers here look for these until well after they are due (``waiting``).
    until = now + timedelta(seconds=max(seconds, 0.0)) + KEPT_LOOKUP
    gateway.kept_until[target.tenant] = max(gateway.kept_until.get(target.tenant, until), until)
    log.info("slack: %d refused repl(ies) in %s kept for later", queued, target.tenant)


async def send_queued(
    gateway: SlackGateway, tenant: TenantRef, payload: str, *, instead: str | None = None
) -> str | None:
    """The core's ``QueuedReplies.send_queued`` for Slack (see the module's docstring);
    ``instead``: a line said in the reply's place, to its asker alone (ephemeral, or the DM)."""
    kept: dict[str, Any] = json.loads(payload)
    reply = Reply.model_validate(kept["reply"])
    user, channel = str(kept["user"]), str(kept["channel"])
    client = await gateway.client_for(tenant)
    direct = reply.visibility == Visibility.DIRECT or kept["kind"] == ChannelKind.DIRECT.value
    if instead is not None:
        private = Visibility.DIRECT if direct else Visibility.PRIVATE
        reply = Reply(text=instead, visibility=private)
    elif kept.get("answer") is not None:
        answer = Reply.model_validate(kept["answer"])
        to = None if direct or answer.visibility == Visibility.DIRECT else channel
        if (await _as_now(gateway, tenant, answer, user, to)).text != answer.text:
            log.info("slack: a queued follow-up in %s: its answer went as a note", tenant)
            return None
    reply = await _as_now(gateway, tenant, reply, user, None if direct else channel)
    message = render.message(reply.text, reply.buttons, mentions=reply.names)
    try:
        unchecked = False
        if not direct:
            # A group DM isn't looked up: the app has no mpim:read (nor, somewhere, the scope
            # for a channel), so Slack refused every lookup and the answer was always dropped.
            readable = (
                None
                if kept.get("group_dm")
                else await _may_read_there(gateway, tenant, kept, reply.visibility)
            )
            if readable is False:
                log.info("slack: a queued reply in %s isn't for that channel any more", tenant)
                return None
            unchecked = readable is None
        if direct:
            sent = await gateway.call(
                tenant.tenant_id,
                "chat.postMessage",
                lambda: client.chat_postMessage(channel=user, **message),
            )
            await _report(
                gateway, tenant, kept, reply, Post(to_users=(user,), **_common(reply)), sent
            )
            return str(sent.get("ts") or "")
        if reply.visibility == Visibility.CHANNEL:
            thread = kept["thread_ts"] if reply.in_thread else None
            sent = await gateway.call(
                tenant.tenant_id,
                "chat.postMessage",
                lambda: client.chat_postMessage(channel=channel, thread_ts=thread, **message),
            )
            post = Post(channel_id=channel, thread_of=thread, **_common(reply))
            await _report(gateway, tenant, kept, reply, post, sent)
            return str(sent.get("ts") or "")
        return await _private(gateway, tenant, kept, reply, message, unchecked=unchecked)
    except SlackApiError as error:
        # A rate limit in force (``RateLimited``) carries the time it still lasts.
        refused = post_refused(error, direct=direct)
        if refused is None:
            raise
        raise refused from error


async def _as_now(
    gateway: SlackGateway, tenant: TenantRef, reply: Reply, user: str, channel: str | None
) -> Reply:
    """``reply``, or a note that quotes nothing when a narration it quotes or shows
    (``Reply.shown``) was deleted or edited while it waited, or may no longer be read where it
    goes (its asker left the private channel it was written in): sent where the answer would
    have gone, never the old words (a reply showing narrations: its ``if_kept``, with its
    buttons). Read by its asker alone (a DM, a private answer) or by the channel's readers."""
    checked = bool(reply.quotes) or reply.if_kept is not None
    if not checked:
        return reply
    for_channel = reply.visibility == Visibility.CHANNEL and channel is not None
    holds = gateway.reply_still_holds is not None and await gateway.reply_still_holds(
        tenant,
        reply,
        reader_user_id=None if for_channel else user,
        channel_id=channel if for_channel else None,
    )
    if holds:
        return reply.model_copy(update={"if_kept": None, "shown": (), "people": ()})
    log.info("slack: a queued reply in %s showed what changed since; a note goes instead", tenant)
    if reply.if_kept is not None:
        note: dict[str, Any] = {
            "text": reply.if_kept,
            "names": {},
            "if_kept": None,
            "shown": (),
            "people": (),
            "quotes": (),
        }
        return reply.model_copy(update=note)
    return Reply(text=ASK_AGAIN, visibility=reply.visibility, in_thread=reply.in_thread)


def _common(reply: Reply) -> dict[str, Any]:
    return {"text": reply.text, "names": reply.names, "buttons": reply.buttons}


async def _report(
    gateway: SlackGateway,
    tenant: TenantRef,
    kept: dict[str, Any],
    reply: Reply,
    post: Post,
    sent: Any,
) -> None:
    """A reply quoting narrations follows their edits and deletes once posted, as delivered at
    once (``delivery._report``)."""
    ts = sent.get("ts") if sent is not None else None
    if not reply.quotes or not kept.get("report") or gateway.reply_posted is None or not ts:
        return
    try:
        await gateway.reply_posted(tenant, reply, post, str(ts))
    except Exception as problem:  # it went out: never sent again for this
        log.warning("slack: keeping a queued reply's quotes failed: %s", type(problem).__name__)


async def _private(
    gateway: SlackGateway,
    tenant: TenantRef,
    kept: dict[str, Any],
    reply: Reply,
    message: dict[str, Any],
    *,
    unchecked: bool = False,
) -> str | None:
    """A private answer: the ``response_url`` while Slack takes it, else ephemeral, else the
    person's DM (a channel that refuses ephemeral posts); never the channel. Where the place
    could not be looked up (``unchecked``: a group DM), Slack's refusal of the ephemeral post
    (the person is no longer in it, it is gone) drops it: no DM instead, as nothing said they
    may still read there."""
    user, channel = str(kept["user"]), str(kept["channel"])
    url = kept.get("response_url")
    until = datetime.fromisoformat(str(kept["response_url_until"]))
    if url and _now(gateway) < until and int(kept["response_url_uses"]) < RESPONSE_URL_USES:
        answer = await AsyncWebhookClient(str(url)).send(
            response_type="ephemeral", replace_original=False, **message
        )
        if answer.status_code < 400:
            return ""
        log.warning("slack: the response_url refused a queued answer (%d)", answer.status_code)
    client = await gateway.client_for(tenant)
    try:
        await gateway.call(
            tenant.tenant_id,
            "chat.postEphemeral",
            lambda: client.chat_postEphemeral(channel=channel, user=user, **message),
        )
        return ""
    except SlackApiError as error:
        if error_code(error) not in NOT_POSTABLE_HERE:
            raise
        if unchecked:
            log.info("slack: a queued answer in %s: not for that place any more", tenant)
            return None
    sent = await gateway.call(
        tenant.tenant_id,
        "chat.postMessage",
        lambda: client.chat_postMessage(channel=user, **message),
    )
    await _report(gateway, tenant, kept, reply, Post(to_users=(user,), **_common(reply)), sent)
    return str(sent.get("ts") or "")


async def _may_read_there(
    gateway: SlackGateway, tenant: TenantRef, kept: dict[str, Any], visibility: Visibility
) -> bool:
    """Whether the reply may still go to its channel: looked up afresh (``conversations.info``,
    and ``conversations.members`` for a private one). A private channel needs the person in
    it (and the app); a reply for the channel's readers needs no more readers than when it was
    written, and the channel open. A lookup Slack refuses for now raises (tried later); one it
    refuses for good (``channel_not_found``: deleted, or private without the app) says no,
    except for a private answer to a public channel's, which goes to the person's DM;
    ``missing_scope`` too (cac6662 posted unlooked-at there: a channel shared since got the
    answer). Only a group DM (``kept["group_dm"]``) is not looked up, by the caller."""
    user, channel = str(kept["user"]), str(kept["channel"])
    client = await gateway.client_for(tenant)
    was_private = kept["kind"] != ChannelKind.PUBLIC.value
    try:
        answer = await gateway.call(
            tenant.tenant_id,
            "conversations.info",
            lambda: client.conversations_info(channel=channel),
        )
    except SlackApiError as error:
        if passing(error, error_code(error)) or retry_after(error) is not None:
            raise
        return visibility == Visibility.PRIVATE and not was_private
    info = answer.get("channel") or {}
    private = bool(info.get("is_private") or info.get("is_mpim") or info.get("is_group"))
    shared = any(bool(info.get(flag)) for flag in SHARED_FLAGS)
    if visibility == Visibility.CHANNEL:
        if info.get("is_archived") or info.get("is_member") is False:
            return False
        if (was_private and not private) or (shared and not kept["shared"]):
            return False  # more readers than it was written for
    if not (private or was_private):
        return True
    if info.get("is_member") is False:
        return False  # Slack no longer tells the app who reads it
    return user in await gateway.members_of(tenant, channel)
