"""Delivering claimed sends (docs/adr/0007), the tick's second step.

Due pending sends are leased a few at a time, from the clock as it is (a batch can take minutes:
platform pacing, ``Retry-After``), composed (at send time, so pause/leave and the latest
narrations count), their lease renewed right before posting (a send whose lease ran out is left
to whoever holds it now), posted through the platform's gateway, and their outcome committed. A
send that fails, however, counts one attempt and the tick goes on with the others.

A process killed between the gateway accepting a post and the outcome being committed leaves a
pending row whose lease runs out; the next tick sends it again. That is the only duplicate, as
long as one post returns within the lease (``schedule_lease_seconds``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import TYPE_CHECKING, Any

from ..events import ChannelKind, Platform, TenantRef
from ..ports import (
    AccessRefresher,
    CannotPostThere,
    ChannelSharing,
    DepartureCheck,
    PartlyPosted,
    RetryLater,
    SessionIntroductions,
    readers_kept,
)
from ..replies import Post
from ..storage import channel_sharing, departures, intro_posts, intro_repo
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage.database import Session
from ..storage.schedule_tables import DIGEST, INTROS, JOB_KINDS, REPLY, Schedule
from ..storage.tables import Channel, Tenant
from . import departed_questions, queued_replies, schedule_posts
from .introductions import (
    CHANNEL_KEY,
    WeeklyIntroductions,
    WeekPlan,
    introduction_number,
    platform_wide_never_pairs,
)
from .schedule_posts import tenant_ref

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

DELIVER_BATCH = 10  # leased at once: small, so a slow batch never outlasts its lease
MAX_ATTEMPTS = 4
# Tries of the transaction that records a posted send's outcome: a second one at once, so a
# passing database failure doesn't leave the send for its lease to hand back.
RECORD_TRIES = 2
# Written in the transaction that records a send's outcome, before it: that outcome commits
# with it or not at all.
Also = Callable[[Session], Awaitable[None]]


def send_row(
    schedule: Schedule,
    slot: str,
    part: str,
    *,
    due_at: datetime,
    now: datetime,
    thread_part: str | None = None,
    payload: str | None = None,
) -> dict[str, Any]:
    assert schedule.id is not None
    return store.pending_row(
        schedule_id=schedule.id,
        tenant_id=schedule.tenant_id,
        person_id=schedule.person_id,
        slot=slot,
        part=part,
        due_at=due_at,
        now=now,
        thread_part=thread_part,
        payload=payload,
    )


def _moment(bot: Bot, now: datetime) -> datetime:
    """The time a lease is taken or renewed: the clock as it is, which runs on while a tick
    posts, and never earlier than the tick's own time."""
    return max(now, bot.clock.now())


async def deliver_due(bot: Bot, now: datetime) -> int:
    owner = uuid.uuid4().hex
    platforms = [p.value for p in bot.gateways]
    sent = 0
    while platforms:
        async with bot.db.transaction() as session:
            ids = await store.lease_due(
                session,
                now=_moment(bot, now),
                owner=owner,
                lease=_lease(bot),
                platforms=platforms,
                dialect=bot.db.dialect,
                limit=DELIVER_BATCH,
            )
            items = await store.leased(session, ids=ids)
        for item in items:
            sent += await _attempt(bot, item, now=_moment(bot, now), owner=owner)
        if len(ids) < DELIVER_BATCH and not any(
            i.send.payload is None and i.schedule.kind in JOB_KINDS for i in items
        ):
            break  # nothing more is due (a job may have queued posts: then look again)
    return sent


def _lease(bot: Bot) -> timedelta:
    return timedelta(seconds=bot.settings.schedule_lease_seconds)


async def _finish(
    bot: Bot,
    send_id: int,
    owner: str,
    status: str,
    now: datetime,
    *,
    also: Also | None = None,
    then: Also | None = None,
    **kw: Any,
) -> bool:
    async with bot.db.transaction() as session:
        if also is not None:
            await also(session)
        finished = await store.finish(
            session, send_id=send_id, owner=owner, status=status, now=now, **kw
        )
        if finished and then is not None:  # only while the send is still ours
            await then(session)
        return finished


async def _postpone(
    bot: Bot,
    send_id: int,
    owner: str,
    due_at: datetime,
    error: str | None = None,
    *,
    also: Also | None = None,
) -> None:
    async with bot.db.transaction() as session:
        if also is not None:
            await also(session)
        await store.retry_later(
            session,
            send_id=send_id,
            owner=owner,
            due_at=due_at,
            error=error,
            failed=error is not None,
        )


async def _attempt(bot: Bot, item: store.Leased, *, now: datetime, owner: str) -> int:
    """Deliver one send. Whatever goes wrong with it (the platform, composing, the weekly job,
    the database) is one of its attempts, retried later and given up after ``MAX_ATTEMPTS``,
    or at once when the platform refuses it for good (``CannotPostThere``); the sends after
    it, of every workspace, go on. Only the error's type is logged: its message may quote
    what people wrote."""
    send = item.send
    assert send.id is not None
    final = False
    also: Also | None = None  # who has it, kept with the outcome (``_partly_posted``)
    try:
        return await _deliver(bot, item, now=now, owner=owner)
    except Exception as problem:
        if isinstance(problem, PartlyPosted):
            also = _partly_posted(item, problem, now=now, owner=owner)
            if isinstance(problem.__cause__, Exception):
                problem = problem.__cause__  # the rest's failure decides the send's retry
            else:  # nothing reached whom it was still for, nor could: nothing is left to try
                final = True
        error = type(problem).__name__
        wait = _wait(problem, send.attempts)
        # When a note that it was given up may go: once the platform takes posts again.
        note_at = now + _wait(problem, 0)
        # Refused until someone changes something (the channel archived, the person's account
        # deactivated, the app's token revoked): the same refusal three more times is no use.
        if isinstance(problem, CannotPostThere):
            final, error = True, f"{error}: {problem.reason}"
        log.warning(
            "scheduled send %s (%s, tenant %s) failed: %s",
            send.id,
            item.schedule.kind,
            send.tenant_id,
            error,
        )
        log.debug("scheduled send %s failed", send.id, exc_info=True)
    try:
        if final or send.attempts + 1 >= MAX_ATTEMPTS:
            then = None if also else _none_reached(item, now=now)
            if item.schedule.kind == REPLY:  # with a note to its person, in one transaction
                await queued_replies.keep_dropped_note(
                    bot,
                    item,
                    owner=owner,
                    status=store.FAILED,
                    now=now,
                    error=error,
                    due_at=note_at,
                    also=also,
                )
            else:
                await _finish(
                    bot, send.id, owner, store.FAILED, now, error=error, also=also, then=then
                )
        else:
            await _postpone(bot, send.id, owner, now + wait, error, also=also)
    except Exception as problem:  # the database too: the lease runs out, and it's tried again
        log.warning("recording send %s's failure failed: %s", send.id, type(problem).__name__)
    return 0


def _partly_posted(
    item: store.Leased, partly: PartlyPosted, *, now: datetime, owner: str
) -> Also | None:
    """Some of a post's people were handled (``PartlyPosted``): the send keeps only the rest,
    so its retries (by any process, after a restart too) never send it again to those who have
    it, nor try whom nothing reaches; and an introduction someone got is delivered, whatever
    becomes of the rest (followed up, resting its people, in the no-repeat window).

    In the same transaction, whom it didn't reach are marked never reached
    (``intro_repo.mark_unreached``: kept out of its follow-up and their pace): the unreachable
    for good, the rest for now. Only a later send of the rest that goes out clears them
    (``_keep_intro_post``), so every other ending keeps them: given up, skipped (too late,
    nothing left to send, the schedule removed), a forget-me. Whoever got it now is cleared.

    Written in the transaction that records the send's outcome (its retry, or its end: this
    returns the writes, ``Also``), never in one of its own: a failure of either undoes both, and
    the lease runs out for the send to be tried again, rather than the outcome committing
    without the marks (the members a send ended without asked on Thursday, and rested).
    A send composed when due (no payload) is left to the gateway's memory: it is composed
    again on its retry."""
    send = item.send
    send_id = send.id
    assert send_id is not None
    if send.payload is None:
        return None
    post = Post.model_validate_json(send.payload)
    handled = {*partly.have, *partly.unreachable}
    rest = tuple(u for u in post.to_users if u not in handled)
    number = introduction_number(post.text)

    async def keep(session: Session) -> None:
        kept = True
        if rest:
            narrowed = post.model_copy(update={"to_users": rest})
            kept = await store.keep_payload(
                session, send_id=send_id, owner=owner, payload=narrowed.model_dump_json()
            )
            if not kept:  # taken over, or ended: its owner decides who still gets it
                log.info("scheduled send %s was no longer ours to narrow", send_id)
        if item.schedule.kind == INTROS and number:
            assert item.tenant.id is not None
            if partly.message_id is not None:
                await intro_repo.mark_delivered(
                    session, tenant_id=item.tenant.id, number=number, now=now
                )
            await intro_repo.mark_reached(
                session, tenant_id=item.tenant.id, number=number, user_ids=partly.have
            )
            await intro_repo.mark_unreached(
                session,
                tenant_id=item.tenant.id,
                number=number,
                user_ids=[*partly.unreachable, *(rest if kept else ())],
                now=now,
            )

    return keep


def _none_reached(item: store.Leased, *, now: datetime) -> Also | None:
    """An introduction's group DM given up with nobody handled (every try failed for a reason
    that could pass: the server unavailable for each pointer, a 5xx on each DM): everyone it
    was still for is marked never reached, as ``_partly_posted`` marks the rest, in the
    transaction that ends the send, and only when it ended it (``_finish``'s ``then``): a send
    taken over meanwhile (this lease ran out) may have been delivered by its new owner.
    Without it, an introduction that reached nobody this way ended with none of its people
    marked."""
    send = item.send
    if item.schedule.kind != INTROS or send.payload is None:
        return None
    post = Post.model_validate_json(send.payload)
    number = introduction_number(post.text)
    if not number or not post.to_users:
        return None
    tenant_id = item.tenant.id
    assert tenant_id is not None

    async def keep(session: Session) -> None:
        await intro_repo.mark_unreached(
            session, tenant_id=tenant_id, number=number, user_ids=post.to_users, now=now
        )

    return keep


def _wait(problem: Exception, attempts: int) -> timedelta:
    """How long a failed send waits: 1, 2, 4… minutes, but at least what the platform asked for
    (``RetryLater.retry_after``: a rate limit outlasting the adapter's own retries, or a pause
    of its own), so the next try isn't refused again, and doesn't add to the limit, for coming
    too soon."""
    wait = timedelta(minutes=2**attempts)
    asked = problem.retry_after if isinstance(problem, RetryLater) else None
    return max(wait, timedelta(seconds=asked)) if asked else wait


async def _deliver(bot: Bot, item: store.Leased, *, now: datetime, owner: str) -> int:
    send, schedule = item.send, item.schedule
    assert send.id is not None
    grace = timedelta(minutes=bot.settings.schedule_grace_minutes)
    if now - send.due_at > grace:
        if schedule.kind == REPLY:
            await queued_replies.keep_dropped_note(
                bot, item, owner=owner, status=store.SKIPPED, now=now, error="too late", due_at=now
            )
        else:
            await _finish(bot, send.id, owner, store.SKIPPED, now, error="too late")
        return 0
    if schedule.removed_at is not None:
        # Removing drops what was queued; this catches a send claimed as the removal committed.
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="removed")
        return 0
    if schedule.kind == REPLY and send.payload is not None:
        return await queued_replies.deliver(
            bot,
            item,
            ref=tenant_ref(item.tenant),
            may_hear=schedule_posts.may_hear,
            now=now,
            owner=owner,
        )
    if send.payload is None and schedule.kind in JOB_KINDS:
        await _run_job(bot, item, now=now, owner=owner)
        return 0
    if send.payload is not None:
        post: Post | None = Post.model_validate_json(send.payload)
        if post is not None and schedule.kind in JOB_KINDS:
            async with bot.db.transaction() as session:
                if not await _still_introducible(session, item.tenant, post, now=now):
                    post = None  # a retry after someone left, paused or asked never-pair
    else:
        if schedule.kind == DIGEST and item.channel is not None:
            await _sharing_now(bot, item.tenant, item.channel)
        post = await schedule_posts.compose(bot, item, now=now)
    if post is None:
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="nothing to send")
        return 0
    if send.thread_part is not None:
        async with bot.db.transaction() as session:
            anchor = await store.sibling(
                session, schedule_id=send.schedule_id, slot=send.slot, part=send.thread_part
            )
        if anchor is not None and anchor.status == store.PENDING:
            await _postpone(bot, send.id, owner, now + timedelta(minutes=1))
            return 0
        if anchor is None or anchor.status != store.SENT or anchor.message_id is None:
            await _finish(bot, send.id, owner, store.SKIPPED, now, error="no thread")
            return 0
        post = post.model_copy(update={"thread_of": anchor.message_id})
    async with bot.db.transaction() as session:
        if not await _hold(bot, session, send.id, owner, now):
            return 0
    gateway = bot.gateways[Platform(item.tenant.platform)]
    # Its tries are one message (``Post.delivery``); never stored with it: an older replica
    # would refuse the field it doesn't know.
    sent = post.model_copy(update={"delivery": f"send:{send.id}"})
    unreachable: tuple[str, ...] = ()
    try:
        message_id = await gateway.post(tenant_ref(item.tenant), sent)
    except PartlyPosted as partly:
        if partly.__cause__ is not None or partly.message_id is None:
            raise  # the rest failed: ``_attempt`` keeps who has it
        # Done, but nothing reached some of its people: kept with their introduction below.
        message_id, unreachable = partly.message_id, partly.unreachable
    # The duplicate window: the platform has the post, the outcome isn't committed yet. So
    # nothing from here on may hand the send back for another try. The outcome and whom a
    # group DM reached or missed commit together (``_keep_intro_post``): a failed transaction
    # is tried again at once, so a passing failure neither loses the marks nor leaves the
    # send for its lease to hand back (and the post to go out again).
    # A retry may find the first try committed after all (the error came with or after the
    # COMMIT: a connection lost while its answer was on the way): the send is then recorded
    # sent as this very post, which is no takeover, and the writes of ``_keep_intro_post``
    # find theirs made (``intro_posts.keep`` keeps one row per post).
    already = False
    for tries_left in reversed(range(RECORD_TRIES)):
        retry = tries_left < RECORD_TRIES - 1
        try:
            async with bot.db.transaction() as session:
                finished = await store.finish(
                    session,
                    send_id=send.id,
                    owner=owner,
                    status=store.SENT,
                    now=now,
                    message_id=message_id,
                )
                already = (
                    not finished
                    and retry
                    and await store.recorded_sent(session, send_id=send.id, message_id=message_id)
                )
                await _keep_intro_post(
                    session, item, post, message_id, now=now, unreachable=unreachable
                )
        except Exception as problem:
            if tries_left:
                log.warning(
                    "recording scheduled send %s failed, trying again: %s",
                    send.id,
                    type(problem).__name__,
                )
                continue
            log.error(
                "scheduled send %s was posted; recording it failed: %s",
                send.id,
                type(problem).__name__,
            )
            break
        if already:
            log.info("scheduled send %s was recorded by its first try after all", send.id)
        elif not finished:
            log.error("scheduled send %s was posted after another process took it over", send.id)
        break
    await _posted_there(bot, item.channel, post, gateway)
    return 1


async def _keep_intro_post(
    session: Session,
    item: store.Leased,
    post: Post,
    message_id: str,
    *,
    now: datetime,
    unreachable: tuple[str, ...] = (),
) -> None:
    """An introduction just posted is marked delivered (its first post only: one refused in
    an otherwise delivered round stays undelivered), and where it was posted in the
    introductions channel is kept, with the send's outcome (also when another process took the
    send over: this post is out all the same), so a forget-me of someone it names can edit it
    (``intro_posts``). Each in its own savepoint, the post's record first: a failure here is
    logged and must not undo the outcome, or the post would be sent again, nor the one write
    the other (a failed delivery mark must not lose the record forget-me edits the post by).

    This mark is the second one: the outcome's own statement marks the introduction (migration
    0057's trigger on ``schedule_send``, which an older replica's sends fire too), so a failure
    here loses nothing. It still counts where this process's outcome didn't land (another
    process took the send over).

    A group DM's people it reached are cleared of an earlier try's "never reached" (the rest of
    a partly sent one: ``_partly_posted``), and so is everyone a channel post names, with its
    record (``mark_unreached`` marks nobody once it is kept); ``unreachable`` (nothing could
    reach them) are marked never reached, as a partly sent one's are. These group-DM marks are
    written in the outcome's own transaction, not a savepoint: recorded sent without them, the
    members it missed would be asked on Thursday and rested, and the ones an earlier try missed
    and this one reached would not be; a failure undoes the outcome too (``_deliver`` tries
    the transaction again)."""
    number = introduction_number(post.text)
    if item.schedule.kind != INTROS or number is None:
        return
    assert item.tenant.id is not None
    if post.channel_id is not None:
        try:
            async with session.begin_nested():
                await intro_posts.keep(
                    session,
                    tenant_id=item.tenant.id,
                    number=number,
                    channel_id=post.channel_id,
                    message_id=message_id,
                    user_ids=list(post.names),
                    now=now,
                )
                # It named everyone in it, to everyone there: whom a group DM of it never
                # reached before (``_partly_posted``) was introduced after all.
                await intro_repo.mark_reached(
                    session, tenant_id=item.tenant.id, number=number, user_ids=list(post.names)
                )
        except Exception as problem:
            log.warning(
                "keeping where introduction #%s was posted failed: %s",
                number,
                type(problem).__name__,
            )
    try:
        async with session.begin_nested():
            # It went out: followed up, resting its people, in the no-repeat window.
            await intro_repo.mark_delivered(
                session, tenant_id=item.tenant.id, number=number, now=now
            )
    except Exception as problem:
        log.warning("marking introduction #%s delivered failed: %s", number, type(problem).__name__)
    if not post.to_users:
        return
    await intro_repo.mark_reached(
        session,
        tenant_id=item.tenant.id,
        number=number,
        user_ids=[u for u in post.to_users if u not in unreachable],
    )
    await intro_repo.mark_unreached(
        session, tenant_id=item.tenant.id, number=number, user_ids=unreachable, now=now
    )


async def _posted_there(bot: Bot, channel: Channel | None, post: Post, gateway: object) -> None:
    """A post the platform took in ``channel`` says the bot is in it and it isn't archived:
    flags left by a missed "bot joined" or "unarchived" event (which would keep it from being
    the open-questions channel) are cleared. A private channel's readers learned while the bot
    was out are forgotten as on its "bot joined" event, unless the platform kept telling them
    (``ports.readers_kept``: Discord). Best effort: the send is done either way."""
    if channel is None or channel.id is None or post.channel_id != channel.channel_id:
        return
    if not (channel.bot_left or channel.archived):
        return
    kept = readers_kept(gateway)
    try:
        async with bot.db.transaction() as session:
            await channel_sharing.keep_now(
                session,
                channel_pk=channel.id,
                archived=False,
                bot_left=False,
                readers_kept=kept,
            )
    except Exception as problem:
        log.warning("clearing channel %s's flags failed: %s", channel.id, type(problem).__name__)


async def _still_introducible(
    session: Session, tenant: Tenant, post: Post, *, now: datetime
) -> bool:
    """Whether an introduction (or its follow-up), queued when the week's run made it, may
    still go out: a first send that failed is retried minutes or hours later, and by then one
    of the people in it may have left narrate-bot or introductions, paused, asked to be
    forgotten, or asked never to be introduced to another of them. Then nobody gets it."""
    assert tenant.id is not None
    user_ids = list(dict.fromkeys([*post.names, *post.to_users]))
    if introduction_number(post.text) is None or not user_ids:
        return True  # not an introduction: nobody in it to re-check
    people = []
    for user_id in user_ids:
        person = await repo.find_person(session, tenant_id=tenant.id, user_id=user_id)
        if person is None:
            continue  # erased: a confirmed forget-me drops the sends naming them itself
        if person.id is None or not schedule_posts.available(person, now):
            return False
        people.append(person)
    ids = [p.id for p in people if p.id is not None]
    if len(await intro_repo.taking_part(session, person_ids=ids)) < len(ids):
        return False
    never = await intro_repo.never_pairs(
        session,
        person_ids=ids,
        everywhere=platform_wide_never_pairs(Platform(tenant.platform)),
    )
    return not any(
        b.user_id in never.get(a.id or 0, ()) or a.user_id in never.get(b.id or 0, ())
        for a, b in combinations(people, 2)
    )


async def _hold(bot: Bot, session: Session, send_id: int, owner: str, now: datetime) -> bool:
    """Renew the lease right before posting. If it ran out, another process may have taken the
    send over by now, so this one leaves it alone (if nobody did, it is leased again)."""
    moment = _moment(bot, now)
    held = await store.hold(session, send_id=send_id, owner=owner, now=moment, lease=_lease(bot))
    if not held:
        log.info("scheduled send %s: lease lost before posting, left to its new owner", send_id)
    return held


async def _run_job(bot: Bot, item: store.Leased, *, now: datetime, owner: str) -> None:
    """A weekly introductions slot: ask the feature once, then queue each post it returns.

    A ``SessionIntroductions`` port works in the transaction that holds the job's lease and
    queues its posts, so the round and its posts commit together; a port with transactions of
    its own is asked first, and its posts queued right after."""
    send, schedule = item.send, item.schedule
    assert send.id is not None
    port = bot.introductions
    if port is None:
        await _finish(bot, send.id, owner, store.SKIPPED, now, error="no introductions")
        return
    ref = tenant_ref(item.tenant)
    unsure = False  # nobody could say who reads the introductions channel: read by outsiders
    if schedule.kind == INTROS:
        await _mark_departures(bot, item.tenant, ref, now=now)
        await _refresh_access(bot, item.tenant, ref, now=now)
        unsure = not await _intros_channel_sharing_now(bot, item.tenant)
    if not isinstance(port, SessionIntroductions):
        # Only ``WeeklyIntroductions`` (the introductions feature) can be told ``unsure``;
        # any other port reads the channel's stored flag.
        async with bot.db.transaction() as session:
            if not await _hold(bot, session, send.id, owner, now):
                return
        call = port.weekly if schedule.kind == INTROS else port.follow_up
        posts = await call(tenant=ref, now=now)
        async with bot.db.transaction() as session:
            await _queue(bot, session, item, posts, now=now, owner=owner)
        return
    slot = date.fromisoformat(send.slot) if schedule.kind == INTROS else None
    plan: WeekPlan | None = None
    if slot is not None and isinstance(port, WeeklyIntroductions):
        held, plan = await _plan_holding_lease(
            bot, port, send.id, owner, ref, slot, now, outsiders_read=unsure
        )
        if not held:
            return
    async with bot.db.transaction() as session:
        if not await _hold(bot, session, send.id, owner, now):
            return
        if slot is not None and isinstance(port, WeeklyIntroductions):
            posts = await port.weekly_in(
                session, tenant=ref, slot=slot, now=now, plan=plan, outsiders_read=unsure
            )
        elif slot is not None:
            posts = await port.weekly_in(session, tenant=ref, slot=slot, now=now)
        else:
            posts = await port.follow_up_in(session, tenant=ref, now=now)
        await _queue(bot, session, item, posts, now=now, owner=owner)


def _renew_every(bot: Bot) -> float:
    """Seconds between renewals of a lease held while a week is worked out: a third of it."""
    return _lease(bot).total_seconds() / 3


async def _plan_holding_lease(
    bot: Bot,
    port: WeeklyIntroductions,
    send_id: int,
    owner: str,
    ref: TenantRef,
    slot: date,
    now: datetime,
    *,
    outsiders_read: bool = False,
) -> tuple[bool, WeekPlan | None]:
    """The week worked out before the transaction that stores it, the lease renewed meanwhile.

    For a large workspace working it out takes tens of seconds: inside the transaction that
    holds the lease it kept SQLite's write lock (every command waiting) the whole time. Outside
    it, the lease must be kept: a round that outlasts it would be taken over and worked out
    again by another process, and again, never stored. ``False`` first if the lease was lost
    anyway.
    """
    task = asyncio.create_task(
        port.plan_week(tenant=ref, slot=slot, now=now, outsiders_read=outsiders_read)
    )
    while True:
        done, _ = await asyncio.wait({task}, timeout=_renew_every(bot))
        if done:
            return True, task.result()
        async with bot.db.transaction() as session:
            held = await _hold(bot, session, send_id, owner, now)
        if not held:
            task.cancel()
            return False, None


async def _queue(
    bot: Bot, session: Session, job: store.Leased, posts: list[Post], *, now: datetime, owner: str
) -> None:
    """Each post of a job becomes a send of its own, in the transaction that marks the job
    done; if the job is no longer this process's, it queues nothing."""
    send, schedule = job.send, job.schedule
    assert send.id is not None
    if await store.finish(session, send_id=send.id, owner=owner, status=store.SENT, now=now):
        rows = [
            send_row(
                schedule, send.slot, f"post-{i}", due_at=now, now=now, payload=p.model_dump_json()
            )
            for i, p in enumerate(posts)
        ]
        await store.claim(session, rows=rows, dialect=bot.db.dialect)


async def _sharing_now(bot: Bot, tenant: Tenant, channel: Channel) -> bool:
    """Ask the platform whether outsiders read ``channel`` before a post is built from its
    flag, and keep the answer (on ``channel`` and its row). The stored flag may be wrong: set
    before 0010, written by an older version, or shared without the event reaching us. When the
    platform can't say (``None``, or the ask raised: a rate limit in force, an outage, a
    channel it won't describe), the channel counts as shared for this post, on ``channel``
    only: that guess is not stored over its row (an internal channel would stay stored as
    shared after it). ``False`` then; ``True`` when the platform said, or isn't asked."""
    gateway = bot.gateways.get(Platform(tenant.platform))
    if not isinstance(gateway, ChannelSharing) or channel.id is None:
        return True
    try:
        shared = await gateway.shared_now(tenant_ref(tenant), channel.channel_id)
    except Exception as problem:
        log.warning(
            "asking whether channel %s is shared failed: %s", channel.id, type(problem).__name__
        )
        shared = None
    if shared is None:
        channel.shared = True
        return False
    if shared != channel.shared:
        async with bot.db.transaction() as session:
            await channel_sharing.keep_shared(session, channel_pk=channel.id, shared=shared)
        channel.shared = shared
    return True


async def _intros_channel_sharing_now(bot: Bot, tenant: Tenant) -> bool:
    """The introductions channel's sharing, asked afresh before the week's posts are written
    and kept when the platform answers. ``False`` when it couldn't say: the round is then told
    to read the channel as shared (``outsiders_read``), and nothing guessed is stored."""
    assert tenant.id is not None
    async with bot.db.snapshot() as session:
        channel = await channel_sharing.channel_named_by(
            session, tenant_id=tenant.id, key=CHANNEL_KEY
        )
    if channel is None or channel.kind == ChannelKind.DIRECT.value:
        return True
    return await _sharing_now(bot, tenant, channel)


async def _mark_departures(bot: Bot, tenant: Tenant, ref: TenantRef, *, now: datetime) -> None:
    """Mark departed whoever the platform says was deactivated, before the week is drawn: an
    account deactivated before the bot kept departures (or while it missed the event) would
    otherwise be introduced, suggested and reminded for ever. Best effort: when the platform
    can't be asked, the introductions go out from what is stored."""
    gateway = bot.gateways.get(ref.platform)
    if not isinstance(gateway, DepartureCheck):
        return
    assert tenant.id is not None
    async with bot.db.snapshot() as session:
        present = await departures.present_user_ids(session, tenant_id=tenant.id)
    if not present:
        return
    try:
        gone = await gateway.deactivated(ref, present)
    except Exception as problem:
        log.warning(
            "checking for deactivated accounts before introductions failed in tenant %s: %s",
            tenant.id,
            type(problem).__name__,
        )
        return
    if gone:
        async with bot.db.transaction() as session:
            marked = await departures.mark_departed(
                session, tenant_id=tenant.id, user_ids=gone, now=now
            )
        log.info("tenant %s: %d deactivated account(s) marked departed", tenant.id, marked)
        try:
            await departed_questions.askers_departed(bot.db, bot.gateways, ref, gone, now)
        except Exception as problem:  # the week goes on; they are marked departed
            log.warning("closing departed askers' questions failed: %s", type(problem).__name__)


async def _refresh_access(bot: Bot, tenant: Tenant, ref: TenantRef, *, now: datetime) -> None:
    """Let the platform correct the participants' private-channel access before the week's
    reasons are drawn from it: on Discord the stored memberships may predate a removed role or
    a departure nobody told us about. The follow-up names no topics, so it doesn't ask."""
    gateway = bot.gateways.get(ref.platform)
    if not isinstance(gateway, AccessRefresher):
        return
    assert tenant.id is not None
    async with bot.db.transaction() as session:
        people = await intro_repo.available_people(session, tenant_id=tenant.id, now=now)
        # Only a stored private membership can be stale in the direction that leaks; people
        # with none are never shown a private channel's topics, so they cost no lookup.
        readers = await intro_repo.private_readers(
            session, tenant_id=tenant.id, user_ids=[p.user_id for p in people]
        )
    user_ids = [p.user_id for p in people if readers.get(p.user_id)]
    if not user_ids:
        return
    try:
        await gateway.refresh_access(ref, user_ids)
    except Exception as problem:  # introductions still go out, from the memberships we have
        log.warning(
            "refreshing private-channel access before introductions failed in tenant %s: %s",
            tenant.id,
            type(problem).__name__,
        )
