"""Posts of form updates whose narrations went without them, deleted from their threads.

A replica still running a version from before migration 0025 (a rolling deploy, an old process
left running) deletes narrations by ``/narrate delete`` and forget-me without knowing that a
form update was posted in its prompt's thread, naming its author. A database trigger keeps the
post's place as the narration goes (``storage.orphan_post_tables``); this repair, run on every
wake-up of the scheduler of every replica of this version, deletes the post through the
platform's gateway and then forgets the place. It runs regularly, not once after an upgrade:
the older replica keeps deleting after this version migrated.

Deleting is idempotent: a post gone already (deleted by hand, its channel deleted) counts as done,
as does a Discord post whose thread stays (the thread is the prompt's). A refusal that stays until
someone changes something (``CannotDelete``: Slack's ``cant_delete_message``, the app removed from
the channel, Discord's Missing Access) is logged once, then tried once a week (``REFUSED_WAIT``),
and at once when the bot is added to its channel again (``channels.describe_channel``): an admin
who invites the app back or restores its permissions must not leave for good a post that names
someone forgotten or quotes a deleted narration. Any other failure puts the place off, twice as
long each time up to ``LONGEST_WAIT``, and it is never dropped while its workspace is there: a post
naming someone who asked to be forgotten must not stay because the platform was down for an hour.
The repair runs after
the wake-up's prompts went out, and starts no delete after ``BUDGET_SECONDS`` (and cuts off a delete
taking longer than that): with the platform slow, the rest waits for the next wake-up instead of
holding back prompts. Each try takes its place first (leased for ``schedule_lease_seconds``), so two
replicas never both try it, and a process that stopped mid-try leaves it to the next once the lease
runs out. A workspace removed (the app uninstalled) takes its places with it: nothing could delete
its posts any more. With nothing orphaned, the whole repair is two probes of an index.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..events import Platform
from ..ports import CannotDelete, ThreadStayed
from ..storage import orphan_posts as store
from .repair_pace import BUDGET_SECONDS, REFUSED_WAIT, Outcome, backoff, run_due
from .schedule_posts import tenant_ref

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

BATCH = 50  # places tried per wake-up; more wait for the next one, seconds later


async def delete_orphaned_posts(bot: Bot, now: datetime, *, budget: float | None = None) -> int:
    """Delete the due orphaned posts, for at most ``budget`` seconds (``BUDGET_SECONDS``); how
    many were deleted. Never raises: a failure here must not keep the scheduler's prompts from
    going out (what failed, or didn't fit the budget, is tried at a later wake-up)."""
    within = BUDGET_SECONDS if budget is None else budget
    platforms = [platform.value for platform in bot.gateways]
    tally = await run_due(
        bot.db,
        lambda session: store.due(session, now=now, platforms=platforms, limit=BATCH),
        lambda orphan: _delete(bot, orphan, now=now, within=within),
        budget=within,
        log=log,
        reading="reading orphaned update posts",
        working="deleting an orphaned update post",
    )
    deleted = 0 if tally is None else tally.done
    if deleted:
        log.info(
            "deleted %d post(s) of updates whose narrations were deleted without them", deleted
        )
    return deleted


async def _delete(bot: Bot, orphan: store.Orphan, *, now: datetime, within: float) -> Outcome:
    row = orphan.row
    assert row.id is not None
    lease = timedelta(seconds=bot.settings.schedule_lease_seconds)
    async with bot.db.transaction() as session:
        if not await store.take(session, orphan_id=row.id, seen=row.retry_at, until=now + lease):
            return Outcome.PASSED  # another replica took it
    gateway = bot.gateways.get(Platform(orphan.tenant.platform))
    try:
        if gateway is None:
            raise LookupError("no gateway for this platform")
        # A delete slower than the whole budget is cut off (a TimeoutError): tried again later,
        # as deleting is idempotent. One started late runs to its end: a wake-up's repair stays
        # within twice the budget.
        async with asyncio.timeout(within):
            await gateway.delete(
                tenant_ref(orphan.tenant), row.channel_id, row.message_id, thread_of=row.thread_of
            )
    except ThreadStayed:
        pass  # the thread is the prompt's, not the post's: the post is gone
    except CannotDelete as refusal:
        async with bot.db.transaction() as session:
            first = await store.refused(
                session, orphan_id=row.id, at=now, retry_at=now + REFUSED_WAIT
            )
        if first:  # the platform's code only, never the post's words; once per place
            log.warning(
                "an orphaned update post can't be deleted (%s): it stays in its thread, tried "
                "again weekly and when I'm added to its channel again",
                refusal.reason,
            )
        return Outcome.STAYED
    except Exception as problem:
        tries = row.attempts + 1
        log.warning(
            "deleting an orphaned update post failed (try %d): %s", tries, type(problem).__name__
        )
        async with bot.db.transaction() as session:
            await store.later(session, orphan_id=row.id, retry_at=now + backoff(tries))
        return Outcome.STAYED
    async with bot.db.transaction() as session:
        await store.done(session, orphan_id=row.id)
    return Outcome.DONE
