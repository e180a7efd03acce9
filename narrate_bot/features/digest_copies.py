"""Taking an open question back out of the weekly digests that listed it.

A digest's thread quotes each open question with its asker's name ("@zoe is looking for
someone who knows about “cobol”"): a copy of the question's own post, which ``ask-channel
withdraw`` and forget-me delete. So they take the line out of every digest post that listed it
too (``storage.digest_copies`` keeps each post and its lines): the post is edited to what is
left, or deleted when nothing is, with the week's post it hangs from when that was there for
the questions alone. As with the question's post, the change that asked for it commits first
and the platform is asked after, best effort: the person is told which digest post stayed.

A replica still running the code from before these copies were kept (migration 0032) deletes
questions without a word to the digests: a trigger keeps each line the delete took away
(``DigestQuestionGone``, migration 0040), and the scheduler's every wake-up takes it out
(``take_out_gone``), tried again with the repairs' back-off until the platform confirms. A
refusal that stays until someone changes something (``RefusedForGood``: the app removed from the
channel, Slack's ``cant_update_message`` or ``cant_delete_message``, Discord's Missing Access) is
logged once per line, then tried weekly (``REFUSED_WAIT``), and at once when the bot is added to
the digest's channel again (``channels.describe_channel``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..events import Platform, TenantRef
from ..ports import ChatGateway, RefusedForGood
from ..replies import Post
from ..storage import digest_copies as store
from ..storage.database import Database, Session
from ..storage.tables import Tenant
from .repair_pace import BUDGET_SECONDS as BUDGET_SECONDS  # the wake-up's, patchable
from .repair_pace import REFUSED_WAIT, Outcome, backoff, run_due

log = logging.getLogger(__name__)

BATCH = 50  # digest posts repaired per wake-up; more wait for the next one
LEASE = timedelta(minutes=2)  # a try under way, for another replica

# Heads the digest thread's open questions, which come last (``schedule_posts._digest``).
QUESTIONS_HEADER = "Open questions someone here could help with:"


@dataclass(frozen=True)
class Retraction:
    """What to do to one digest post once the change has committed."""

    platform: Platform
    tenant: Tenant
    channel_id: str
    message_id: str
    thread_of: str | None
    post: Post | None  # the post as edited; ``None``: delete it
    main_message_id: str | None  # the week's post, deleted with its thread when set


def _without(post: Post, lines: tuple[str, ...]) -> Post | None:
    """``post`` without ``lines`` (and without the questions' heading once none is left, and
    the names nobody mentions any more); ``None`` when nothing else was in it."""
    kept = post.text.split("\n")
    for line in lines:
        if line in kept:
            kept.remove(line)
    if kept and kept[-1] == QUESTIONS_HEADER:
        kept.pop()  # the questions come last: a heading with none under it
    if not kept:
        return None
    text = "\n".join(kept)
    names = {user: name for user, name in post.names.items() if f"<@{user}>" in text}
    return post.model_copy(update={"text": text, "names": names})


async def take_out(
    session: Session, *, person_id: int | None = None, question_id: int | None = None
) -> list[Retraction]:
    """In the transaction that withdraws the question (or erases its asker): the digest posts
    listing it, as they are to be left, and the records of its lines gone."""
    retractions: list[Retraction] = []
    for listing in await store.listings(session, person_id=person_id, question_id=question_id):
        before = Post.model_validate_json(listing.post)
        after = _without(before, listing.lines)
        await store.rewrite(
            session,
            send_id=listing.send_id,
            post=None if after is None else after.model_dump_json(),
        )
        if listing.message_id is None or before.channel_id is None:
            continue  # never posted: nothing to edit (a digest composed later reads afresh)
        retractions.append(
            Retraction(
                platform=Platform(listing.tenant.platform),
                tenant=listing.tenant,
                channel_id=before.channel_id,
                message_id=listing.message_id,
                thread_of=listing.main_message_id,
                post=after,
                main_message_id=listing.main_message_id
                if after is None and listing.alone
                else None,
            )
        )
    await store.forget(session, person_id=person_id, question_id=question_id)
    return retractions


async def retract(gateways: Mapping[Platform, ChatGateway], retractions: list[Retraction]) -> int:
    """Edit or delete the digest posts, after the commit; returns how many stayed as they were
    (the platform refused or failed: logged, never raised)."""
    stayed = 0
    for r in retractions:
        gateway = gateways.get(r.platform)
        if gateway is None:
            stayed += 1
            continue
        try:
            await _retract(gateway, r)
        except Exception as problem:  # reported to the person, never raised
            log.warning("taking a question out of a digest failed: %s", type(problem).__name__)
            stayed += 1
    return stayed


async def _retract(gateway: ChatGateway, r: Retraction) -> None:
    """Edit or delete one digest post (raises what the platform answered), then delete the
    week's post it hung from when that goes with it (a failure there is only logged)."""
    where = TenantRef(platform=r.platform, tenant_id=r.tenant.external_id, name=r.tenant.name)
    if r.post is not None:
        await gateway.update(
            where, r.message_id, r.post.model_copy(update={"thread_of": r.thread_of})
        )
        return
    await gateway.delete(where, r.channel_id, r.message_id, thread_of=r.thread_of)
    if r.main_message_id is not None:
        try:
            await gateway.delete(where, r.channel_id, r.main_message_id)
        except Exception as problem:  # names nobody: the thread under it is gone
            log.warning("deleting an emptied digest failed: %s", type(problem).__name__)


async def take_out_gone(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    *,
    now: datetime,
    budget: float | None = None,
) -> int:
    """Take the lines an older replica's deletes left out of their digest posts (the
    scheduler's wake-up); how many posts stayed as they were. Starts none after ``budget``
    seconds (``BUDGET_SECONDS``) and cuts off a call taking longer. Never raises."""
    within = BUDGET_SECONDS if budget is None else budget
    tally = await run_due(
        db,
        lambda session: store.gone(session, now=now, limit=BATCH),
        lambda send_id: _take_out_one(db, gateways, send_id, now=now, within=within),
        budget=within,
        log=log,
        reading="reading digest lines of deleted questions",
        working="taking a deleted question out",
    )
    return 0 if tally is None else tally.stayed


async def _take_out_one(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    send_id: int,
    *,
    now: datetime,
    within: float,
) -> Outcome:
    async with db.transaction() as session:
        listing, tries, questions = await store.take_gone(
            session, send_id=send_id, now=now, until=now + LEASE
        )
    if listing is None:
        return Outcome.PASSED  # another replica took it, or the post went
    before = Post.model_validate_json(listing.post)
    after = _without(before, listing.lines)
    if listing.message_id is not None and before.channel_id is not None:
        retraction = Retraction(
            platform=Platform(listing.tenant.platform),
            tenant=listing.tenant,
            channel_id=before.channel_id,
            message_id=listing.message_id,
            thread_of=listing.main_message_id,
            post=after,
            main_message_id=listing.main_message_id if after is None and listing.alone else None,
        )
        gateway = gateways.get(retraction.platform)
        try:
            if gateway is None:
                raise LookupError("no gateway for this platform")
            # A call slower than the budget is cut off and tried again: the same edit, or the
            # delete of a post gone, changes nothing the second time.
            async with asyncio.timeout(within):
                await _retract(gateway, retraction)
        except RefusedForGood as refusal:  # CannotEdit, or CannotDelete when nothing is left
            async with db.transaction() as session:
                first = await store.gone_refused(
                    session, send_id=send_id, at=now, retry_at=now + REFUSED_WAIT
                )
            if first:  # the platform's code only, never the question's words; once per line
                log.warning(
                    "a weekly digest's line of a deleted question can't be taken out (%s): it "
                    "stays in the digest's thread, tried again weekly and when I'm added to its "
                    "channel again",
                    refusal.reason,
                )
            return Outcome.STAYED
        except Exception as problem:
            log.warning(
                "taking a deleted question out of a digest failed (try %d): %s",
                tries + 1,
                type(problem).__name__,
            )
            async with db.transaction() as session:
                await store.gone_later(session, send_id=send_id, retry_at=now + backoff(tries + 1))
            return Outcome.STAYED
    async with db.transaction() as session:
        await store.gone_done(
            session,
            send_id=send_id,
            post=None if after is None else after.model_dump_json(),
            question_ids=questions,
        )
    return Outcome.DONE


def unretracted(stayed: int, *, what: str = "your question") -> str:
    """What to tell someone whose question stays listed in a digest's thread."""
    if not stayed:
        return ""
    where = "a weekly digest" if stayed == 1 else f"{stayed} weekly digests"
    lines = "that line" if stayed == 1 else "those lines"
    return (
        f" I couldn't take {what} out of {where} that listed it; please delete {lines} there, "
        "or ask an admin to."
    )
