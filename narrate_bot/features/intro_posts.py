"""An introduction's post in the introductions channel follows its people's forget-me.

The post names everyone it introduced, their teams and what they narrated about, for the whole
workspace to read. Once one of them is forgotten, their own side of the introduction is gone
and the others' views of it say "someone who has since left"; so does the post: it is edited to
name only who is left, with no reason (a reason cites what the forgotten person narrated, and
isn't stored to be cut), and deleted once nobody in it is left. Leaving introductions (or
narrate-bot) changes nothing here: an introduction that happened stays as it was.

The group DM of the introduction is not edited: it went only to the introduction's own members,
the forgotten person among them, and is the others' correspondence with them, which they keep
("the people you were introduced to keep their side", as for every forget-me).

As for other posts that name someone (``orphan_posts``, ``narration_copies``), the forget-me
commits first, with the posts marked due (``storage.intro_posts.retract``), and the platform is
asked after: at once, and again at the scheduler's every wake-up until it confirms, waiting
twice as long each time, at most ``LONGEST_WAIT``. Never dropped while the workspace is there.
A refusal that stays until someone changes something (``RefusedForGood``: the app removed from
the channel, Slack's ``cant_update_message``, Discord's Missing Access) is logged once per
post, then tried weekly (``REFUSED_WAIT``), and at once when the bot is added to the channel
again (``channels.describe_channel``).
The wake-up's edits run after its prompts went out, and start none after ``BUDGET_SECONDS``
(one taking longer is cut off and tried again later: the same edit, or delete, twice changes
nothing): with the platform slow, the rest waits for the next wake-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from ..events import Platform
from ..ports import ChatGateway, RefusedForGood
from ..replies import Post
from ..storage import intro_posts as store
from ..storage.database import Database
from ..storage.tables import Person

# Modules, not names: ``privacy`` imports this one while they are still being imported.
from . import introductions, schedule_posts
from .repair_pace import BUDGET_SECONDS as BUDGET_SECONDS  # the wake-up's, patchable
from .repair_pace import REFUSED_WAIT, Outcome, backoff, run_due

log = logging.getLogger(__name__)

BATCH = 50  # posts edited per wake-up; more wait for the next one
LEFT = "someone who has since left"


def edited(number: int, left: Sequence[tuple[Person, str | None]], *, people: int) -> str:
    """What introduction ``number``'s post says once some of its ``people`` were forgotten:
    who is left (with their team, as it was posted), and that someone left."""
    named = [f"<@{p.user_id}>" + (f" ({team})" if team else "") for p, team in left]
    gone = max(people - len(named), 1)
    named += [LEFT] if gone == 1 else [f"{gone} people who have since left"]
    if len(named) == 2:
        meet = f"{named[0]}, meet {named[1]}"
    else:
        meet = f"{', '.join(named[:-1])} and {named[-1]}, meet each other"
    return f"Introduction #{number}: {meet}."


async def sync(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    *,
    now: datetime,
    lease: timedelta,
    introduction_ids: Sequence[int] = (),
    budget: float | None = None,
) -> int:
    """Edit (or delete) the due posts: all of them (the scheduler's wake-up), or only those of
    ``introduction_ids`` (a forget-me, at once). Each try is leased for ``lease``. Returns how
    many stayed as they were: the platform refused or failed, and a later wake-up tries again.
    Never raises.

    With a ``budget`` (the scheduler's wake-up: ``BUDGET_SECONDS``), no edit starts after that
    many seconds and one taking longer is cut off: what is left stays due for a later wake-up.
    """
    platforms = [p.value for p in gateways]
    tally = await run_due(
        db,
        lambda session: store.due(
            session, now=now, platforms=platforms, limit=BATCH, ids=introduction_ids
        ),
        lambda due: _edit(db, gateways, due, now=now, lease=lease, within=budget),
        budget=budget,
        log=log,
        reading="reading introductions' posts to edit",
        working="editing an introduction's post",
    )
    if tally is None:
        return len(introduction_ids)
    return tally.stayed + tally.unreached


async def _edit(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    due: store.Due,
    *,
    now: datetime,
    lease: timedelta,
    within: float | None = None,
) -> Outcome:
    """One try at one post."""
    row = due.row
    assert row.id is not None and row.retract_at is not None
    until = now + lease
    async with db.transaction() as session:
        if not await store.take(session, post_id=row.id, seen=row.retract_at, until=until):
            return Outcome.PASSED  # another replica took it
        left = await store.left_in(session, introduction_id=row.introduction_id)
    gateway = gateways.get(Platform(due.tenant.platform))
    where = schedule_posts.tenant_ref(due.tenant)
    try:
        if gateway is None:
            raise LookupError("no gateway for this platform")
        # A call slower than ``within`` is cut off (a TimeoutError, put off as any failure):
        # if it got through, the same edit (or delete of a post gone) later changes nothing.
        async with asyncio.timeout(within):
            if left:
                post = Post(
                    text=edited(due.number, left, people=row.people),
                    channel_id=row.channel_id,
                    buttons=introductions.outcome_buttons(due.number, skip=False),
                    names={p.user_id: p.display_name or p.user_id for p, _ in left},
                )
                await gateway.update(where, row.message_id, post)
            else:
                await gateway.delete(where, row.channel_id, row.message_id)
    except RefusedForGood as refusal:  # CannotEdit, or CannotDelete once nobody is left
        async with db.transaction() as session:
            first = await store.refused(
                session, post_id=row.id, until=until, at=now, retract_at=now + REFUSED_WAIT
            )
        if first:  # the platform's code only, never the post's words; once per post
            log.warning(
                "an introduction's post can't be edited (%s): it still names someone forgotten, "
                "tried again weekly",
                refusal.reason,
            )
        return Outcome.STAYED
    except Exception as problem:
        tries = row.attempts + 1
        log.warning(
            "editing an introduction's post failed (try %d): %s", tries, type(problem).__name__
        )
        async with db.transaction() as session:
            await store.later(session, post_id=row.id, until=until, retract_at=now + backoff(tries))
        return Outcome.STAYED
    async with db.transaction() as session:
        if left:
            await store.done(session, post_id=row.id, until=until)
        else:
            await store.gone(session, post_id=row.id)
    return Outcome.DONE


def unedited(stayed: int) -> str:
    """What to tell someone forgotten whose name an introductions channel post still shows."""
    if not stayed:
        return ""
    posts = "an introduction's post" if stayed == 1 else f"{stayed} introductions' posts"
    return (
        f" I couldn't edit {posts} in the introductions channel yet; I'll keep trying until "
        "it no longer names you."
    )
