"""Form updates' posts made to match their narrations again after an older replica's edit or
unshare.

In a rolling deploy a replica still running older code edits a narration's text, or makes it
"only me" again, without touching its post in the prompt's thread: the post kept the old words,
or stayed for the channel to read. A trigger (migration 0044) marks the post due in that
change's own transaction; this repair, run on every wake-up of the scheduler of every replica of
this version, edits the post to the narration's text as it is now, or takes it out of the
thread (through the orphaned posts' repair, as ``unshare`` does) when the narration is "only me".

This version's own edit leases the post in its transaction and clears the lease once the
platform has the edit (``update_posts.edited``): the repair doesn't edit it a second time. An
edit the platform refused is left leased, so the repair tries it once the lease runs out. Each
try takes the post first (leased for ``schedule_lease_seconds``), so two replicas never both
edit it; a failure waits as every repair does (``repair_pace``), a refusal for good
(``RefusedForGood``) is logged once and tried weekly (``resync_refused_at``, migration 0053);
either is due at once when the bot is added to the post's channel again, and the repair starts
nothing after ``BUDGET_SECONDS``. With nothing due it is one read-only probe of an empty
partial index.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..events import Audience, Platform
from ..ports import RefusedForGood
from ..storage import update_post_resync as store
from ..storage import update_posts as posts
from ..storage.update_posts import Retry
from .repair_pace import BUDGET_SECONDS, REFUSED_WAIT, Outcome, backoff, run_due
from .schedule_posts import tenant_ref
from .update_posts import post_of

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

BATCH = 50  # posts tried per wake-up; more wait for the next one


async def resync(bot: Bot, now: datetime, *, budget: float | None = None) -> int:
    """Repair the due posts for at most ``budget`` seconds; how many were. Never raises: a
    failure here must not keep the scheduler's prompts from going out."""
    within = BUDGET_SECONDS if budget is None else budget
    platforms = [platform.value for platform in bot.gateways]
    tally = await run_due(
        bot.db,
        lambda session: store.due(session, now=now, limit=BATCH, platforms=platforms),
        lambda item: _one(bot, item, now=now, within=within),
        budget=within,
        log=log,
        reading="reading update posts behind their narrations",
        working="repairing an update post",
    )
    return 0 if tally is None else tally.done


async def _one(bot: Bot, item: Retry, *, now: datetime, within: float) -> Outcome:
    row = item.row
    assert row.id is not None and row.resync_at is not None
    leased = now + timedelta(seconds=bot.settings.schedule_lease_seconds)
    async with bot.db.transaction() as session:
        if not await store.take(session, post_id=row.id, seen=row.resync_at, until=leased):
            return Outcome.PASSED  # another replica took it, or an edit made it due again
        found = await store.current(session, post_id=row.id)
        if found is None:
            return Outcome.PASSED
        post, narration = found
        if narration.audience == Audience.ONLY_ME.value:
            # Only its author may read it now: out of the thread, as this version's unshare
            # does (the orphaned posts' repair deletes it, later in this wake-up).
            await posts.withdraw(
                session, narration_id=narration.id or 0, tenant_id=narration.tenant_id
            )
            return Outcome.DONE
        text = narration.text
    gateway = bot.gateways.get(Platform(item.tenant.platform))
    edit = post_of(
        item.person.user_id,
        item.person.display_name,
        channel_id=post.channel_id,
        thread_of=post.thread_of,
        text=text,
    )
    try:
        if gateway is None or not post.message_id:
            raise LookupError("no gateway for this platform")
        async with asyncio.timeout(within):  # as the orphaned posts' deletes
            await gateway.update(tenant_ref(item.tenant), post.message_id, edit)
    except RefusedForGood as refusal:  # CannotEdit: the app out of the channel, or not its post
        async with bot.db.transaction() as session:
            first = await store.refused(
                session, post_id=row.id, leased=leased, at=now, retry_at=now + REFUSED_WAIT
            )
        if first:  # the platform's code only, never the narration's words; once per post
            log.warning(
                "an update post can't be edited to its narration (%s): tried again weekly",
                refusal.reason,
            )
        return Outcome.STAYED
    except Exception as problem:
        tries = post.resync_tries + 1
        log.warning(
            "editing an update post to its narration failed (try %d): %s",
            tries,
            type(problem).__name__,
        )
        async with bot.db.transaction() as session:
            await store.later(session, post_id=row.id, leased=leased, wait=backoff(tries), now=now)
        return Outcome.STAYED
    async with bot.db.transaction() as session:
        await store.settled(session, narration_id=narration.id or 0, leased=leased)
    return Outcome.DONE
