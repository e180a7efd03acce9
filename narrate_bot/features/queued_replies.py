"""Replies to people's events that the platform refused for a while, sent when it allows.

A reply to a DM, a mention or a command may meet a rate limit that lasts minutes or an hour
(Slack's ``Retry-After``). Slack won't send the event again, so unless the reply is kept it is
lost: the person never hears back. The adapter queues it (``storage.schedules.queue_replies``)
as a send of the tenant's reply schedule, in the scheduled sends' outbox, due when the limit
has passed; the same person's later replies in that conversation queue behind it, so they
keep their order (the platform's ``place`` says whose answers where: on Slack, a conversation
and its asker; someone else's answer there is not held back).
The tick delivers it like any send: claimed with a lease, so one process sends it once.

Before it goes, the person it answers must still be here: not forgotten (their sends went with
them), about to be, or departed; paused, they still hear back, as they do live. The platform
then checks the place (``QueuedReplies``): whether they may still read it there. A reply
waits for every earlier one to the same place.

A reply given up (refused ``MAX_ATTEMPTS`` times, or past the grace) was dropped without a word:
now a short note saying so (``DROPPED``) is queued in its place, due when the platform takes
posts again, and sent once, to its person alone; refused too, it is a warning, without text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..events import Platform, TenantRef
from ..ports import QueuedReplies
from ..storage import privacy
from ..storage import schedules as store
from ..storage.database import Session
from ..storage.tables import Person

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

# Said, alone, to the person a queued reply was for when it is given up.
DROPPED = (
    "I couldn't deliver an earlier answer to you while I was asked to slow down. "
    "Ask me again if you still need it."
)


async def deliver(
    bot: Bot,
    item: store.Leased,
    *,
    ref: TenantRef,
    may_hear: Callable[[Person | None, datetime], bool],
    now: datetime,
    owner: str,
) -> int:
    """Send one queued reply (1 when it went out). An earlier reply to the same place still
    waiting holds it back until then; a reply its person may no longer be sent
    (``schedule_posts.may_hear``), or nobody may read there any more, is skipped."""
    send = item.send
    assert send.id is not None and send.payload is not None
    async with bot.db.snapshot() as session:
        before = await store.reply_before(session, send=send)
        if before is None:
            # "Did this answer help?" whose answer was refused and put off past it: after it.
            before = await store.answer_due(session, send=send)
        person = None if send.person_id is None else await session.get(Person, send.person_id)
        answered = before is not None or await store.answer_sent(session, send=send)
    if before is not None:
        # Still after it when the tick sends due rows by (due_at, id): its order is kept.
        await _postpone(bot, send.id, owner, max(before, now))
        return 0
    if not answered:
        # "Did this answer help?" after an answer never delivered (given up, not posted there).
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="its answer wasn't sent")
        return 0
    if send.person_id is not None and not may_hear(person, now):
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="person gone")
        return 0
    gateway = bot.gateways.get(Platform(item.tenant.platform))
    if not isinstance(gateway, QueuedReplies):
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="no platform")
        return 0
    async with bot.db.transaction() as session:
        held = await store.hold(
            session,
            send_id=send.id,
            owner=owner,
            now=max(now, bot.clock.now()),
            lease=_lease(bot),
        )
    if not held:
        log.info("queued reply %s: lease lost before sending, left to its new owner", send.id)
        return 0
    note = store.is_dropped_note(send)
    try:
        sent = await gateway.send_queued(ref, send.payload, instead=DROPPED if note else None)
    except Exception as problem:
        if not note:
            raise  # retried, then given up (``schedule_delivery``)
        # Refused too: said once or not at all, never tried again.
        log.warning(
            "queued reply %s: its given-up note was refused: %s", send.id, type(problem).__name__
        )
        await _finish(bot, send.id, owner, store.FAILED, now, error=type(problem).__name__)
        return 0
    if sent is None:
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="not readable there")
        return 0
    # Sent: nothing from here on may hand it back for another try.
    try:
        if not await _finish(bot, send.id, owner, store.SENT, now, message_id=sent or None):
            log.error("queued reply %s was sent after another process took it over", send.id)
    except Exception as problem:
        log.error(
            "queued reply %s was sent; recording it failed: %s", send.id, type(problem).__name__
        )
    return 1


async def keep_dropped_note(
    bot: Bot,
    item: store.Leased,
    *,
    owner: str,
    status: str,
    now: datetime,
    error: str,
    due_at: datetime,
    also: Callable[[Session], Awaitable[None]] | None = None,
) -> bool:
    """Give the kept reply ``item`` up (``status``: refused ``MAX_ATTEMPTS`` times, or past the
    grace), with ``also``'s writes, and queue a note saying so (``DROPPED``) for its person, due
    when the platform takes posts again (``due_at``), sent once by the tick (``deliver``),
    privately where it was asked or in their DM, never to a channel's readers. ``False`` when
    it was no longer this owner's to give up (nor a note to keep).

    One transaction, holding their user id (``privacy.share_user_id``) as their forget-me's
    erasure holds it alone: a forget-me that went first deleted the reply, so nothing is given
    up and no note kept; one after deletes the note with their other replies. Kept in one of
    its own, the note outlived a forget-me committed in between, with their user id, the
    channel and the response URL, and was sent. Best effort: the note failing to be kept, the
    reply is given up without it (a warning)."""
    send = item.send
    assert send.id is not None
    user = store.kept_reply_user(send)
    # Not for "Did this answer help?" (about the reply before it: ``thread_part``): its answer
    # went, and a note that an earlier answer couldn't be delivered would be untrue.
    note = user is not None and not store.is_dropped_note(send) and send.thread_part is None
    if note and user is not None:
        try:
            async with bot.db.transaction() as session:
                if also is not None:
                    await also(session)
                await privacy.share_user_id(session, tenant_id=send.tenant_id, user_id=user)
                ended = await store.finish(
                    session, send_id=send.id, owner=owner, status=status, now=now, error=error
                )
                if ended:
                    await store.keep_dropped_note(
                        session,
                        send=send,
                        due_at=due_at,
                        now=bot.clock.now(),
                        dialect=bot.db.dialect,
                    )
                return ended
        except Exception as problem:
            log.warning(
                "queued reply %s given up; keeping a note for its person failed: %s",
                send.id,
                type(problem).__name__,
            )
    async with bot.db.transaction() as session:
        if also is not None:
            await also(session)
        return await store.finish(
            session, send_id=send.id, owner=owner, status=status, now=now, error=error
        )


def _lease(bot: Bot) -> timedelta:
    return timedelta(seconds=bot.settings.schedule_lease_seconds)


async def _finish(
    bot: Bot,
    send_id: int,
    owner: str,
    status: str,
    now: datetime,
    *,
    message_id: str | None = None,
    error: str | None = None,
) -> bool:
    async with bot.db.transaction() as session:
        return await store.finish(
            session,
            send_id=send_id,
            owner=owner,
            status=status,
            now=now,
            message_id=message_id,
            error=error,
        )


async def _postpone(bot: Bot, send_id: int, owner: str, due_at: datetime) -> None:
    async with bot.db.transaction() as session:
        await store.retry_later(
            session, send_id=send_id, owner=owner, due_at=due_at, error=None, failed=False
        )
