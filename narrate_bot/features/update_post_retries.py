"""Form updates whose post in the prompt's thread failed for a passing reason, tried again.

When the platform answered with an error and took nothing (``ports.NotPosted``), the database
timed out, or the channel's sharing couldn't be checked, the author was told "I couldn't post it
just now" and the update was never posted. Now its ``update_post`` row waits with a
``retry_at`` (``update_posts.RETRY_FIRST`` after the failure) and the scheduler's tick tries it
again, ``RETRY_TRIES`` times at most, backing off. Each try takes the row first (a compare on
``retry_at``, so two replicas' ticks never both post it), which leaves it in flight, not due: a
try whose outcome is unknown (a timeout after the platform may have taken it, the process
killed before the post's id was saved) is never repeated: posting twice is worse than not
posting.

A try re-reads everything at its time: the narration's text (an edit meanwhile is posted as
edited), its audience (made "only for me" meanwhile: not posted), the channel's "updates off"
setting and, from the platform, its sharing; a narration deleted or forgotten meanwhile took
its row with it. After the last try fails the author gets one DM saying the update stays
unposted, so the "I'll try again" they read is never left hanging; so they do when an admin
turned the channel's updates off while the retry waited (the update is dropped, not kept for
later: the admin asked for no more posts there, and one turning up after updates come back on,
days later, would surprise everyone), and when the platform refuses a retry for good
(``ports.CannotPostThere``: the channel archived, posting restricted, the app's scope or token
gone), told with the reason as on the first try. No DM goes to an author who left or is being
erased, or about a narration made "only me" meanwhile.

A post claimed ``update_posts.UNSURE_AFTER`` ago with no id saved and no retry waiting may be
out (the process stopped between the platform's answer and the save). Where the platform can
find the bot's own posts in a thread (``ports.PostFinder``: Discord), ``find_lost`` looks for it:
found, its id is saved and edits and deletes reach it; not there, it goes to the retry, which
then can't post it twice. Elsewhere (Slack, without a ``*:history`` scope) its author is told it
is unknown (``update_posts.UNSURE_EDIT``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..channel_names import shown
from ..events import Audience, Platform
from ..ports import CannotPostThere, ChatGateway, NotPosted, PostFinder
from ..replies import Post
from ..storage import repositories as repo
from ..storage import update_posts as store
from ..storage.tables import Narration, Person
from .privacy import erasure_pending
from .schedule_posts import tenant_ref
from .update_posts import UNSURE_AFTER, post_of, refused_why, shared_now, updates_key

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

RETRY_TRIES = 4  # the tick's tries; with RETRY_FIRST's doubling, about half an hour in all
RETRY_BATCH = 20


def _backoff(attempts: int) -> timedelta:
    """The wait before the next try, after ``attempts`` tries of the tick: 4, 8, 16… minutes."""
    return timedelta(minutes=2 ** (attempts + 1))


async def next_due(bot: Bot, *, after: datetime | None, until: datetime) -> datetime | None:
    """When the next retry falls due (``run_due`` wakes the tick then). Asked at every
    scheduler wake-up, so a read-only snapshot (no SQLite write lock) of two partial indexes
    (migration 0035) that hold only the posts in flight."""
    async with bot.db.snapshot() as session:
        retry = await store.next_retry(session, after=after, until=until)
        look = await store.next_unsure(
            session, tries=RETRY_TRIES, after=after, until=until, wait=UNSURE_AFTER
        )
    return min((t for t in (retry, look) if t is not None), default=None)


async def retry_due(bot: Bot, now: datetime) -> int:
    """Try the posts whose retry is due; how many went out. One post's failure is its own.
    Read in a snapshot: each tick asks, and only a post found due takes the write lock (its
    ``store.take`` compares, so a row another replica took since is left alone)."""
    await find_lost(bot, now)
    async with bot.db.snapshot() as session:
        due = await store.due_retries(session, now=now, limit=RETRY_BATCH)
    posted = 0
    for item in due:
        try:
            posted += await _retry(bot, item, now=now)
        except Exception as problem:  # the database: the lease runs out and a later tick tries
            log.warning("retrying update post %s failed: %s", item.row.id, type(problem).__name__)
    return posted


async def _retry(bot: Bot, item: store.Retry, *, now: datetime) -> int:
    row, narration, person, channel = item.row, item.narration, item.person, item.channel
    assert row.id is not None and row.retry_at is not None and channel.id is not None
    async with bot.db.transaction() as session:
        if not await store.take(session, post_id=row.id, seen=row.retry_at, now=now):
            return 0  # another tick took it
        off = await repo.get_setting(
            session, tenant_id=channel.tenant_id, key=updates_key(channel.id)
        )
        thread: str | None = row.thread_of
        if not thread and narration.prompt_schedule_id is not None:
            thread = await store.latest_prompt(session, schedule_id=narration.prompt_schedule_id)
        gone = (
            narration.audience == Audience.ONLY_ME.value
            or person.departed_at is not None
            or erasure_pending(person, now)
        )
        if off or not thread or gone:
            await store.drop(session, narration_id=narration.id or 0)
            dropped = True
        else:
            dropped = False
    if dropped:
        if off and not gone:  # an admin's doing, after the author read "I'll try again"
            gateway = bot.gateways.get(Platform(item.tenant.platform))
            await _tell(
                item, gateway, why=" as updates there were turned off since, so it isn't there."
            )
        return 0
    assert thread  # not dropped: there is a thread to post in
    tenant = tenant_ref(item.tenant)
    gateway = bot.gateways.get(Platform(item.tenant.platform))
    if gateway is None:
        return await _again(bot, item, gateway, now=now)
    shared = await shared_now(bot.db, gateway, tenant, channel, stored=channel.shared)
    if shared is None:
        return await _again(bot, item, gateway, now=now)
    if shared:
        await _drop(bot, item)
        return 0
    text = narration.text
    post = post_of(
        person.user_id,
        person.display_name,
        channel_id=channel.channel_id,
        thread_of=thread,
        text=text,
    )
    try:
        message_id = await gateway.post(tenant, post)
    except CannotPostThere as refused:  # for good: the author read "I'll try again"
        if await _drop_still_theirs(bot, item, now=now):
            await _tell(item, gateway, why=f": {refused_why(refused)}")
        return 0
    except NotPosted:
        return await _again(bot, item, gateway, now=now)
    except Exception as problem:  # maybe out, maybe not: never tried again (never twice)
        log.warning("retried update post %s failed: %s", row.id, type(problem).__name__)
        await _drop(bot, item)
        return 0
    async with bot.db.transaction() as session:
        current = await store.keep(session, narration_id=narration.id or 0, message_id=message_id)
    try:
        if current is None:  # deleted or forgotten while it went out: nothing would find it
            await gateway.delete(tenant, channel.channel_id, message_id, thread_of=thread)
        elif current != text:  # edited while it went out
            edited = post_of(
                person.user_id,
                person.display_name,
                channel_id=channel.channel_id,
                thread_of=thread,
                text=current,
            )
            await gateway.update(tenant, message_id, edited)
    except Exception as problem:
        log.warning("settling retried update post %s failed: %s", row.id, type(problem).__name__)
    return 1


async def find_lost(bot: Bot, now: datetime) -> None:
    """Look for posts that may be out with their id never saved (claimed ``UNSURE_AFTER``
    ago, no id, no retry waiting), where the platform can find them (``ports.PostFinder``):
    found, the id is saved, so an edit or delete reaches it again; known not to be there, it
    is left to the retry, which can't post it twice now. Bounded like the retries."""
    platforms = [p.value for p, g in bot.gateways.items() if isinstance(g, PostFinder)]
    if not platforms:
        return
    async with bot.db.snapshot() as session:  # each tick asks: no write lock for "none"
        due = await store.unsure_due(
            session,
            claimed_before=now - UNSURE_AFTER,
            tries=RETRY_TRIES,
            limit=RETRY_BATCH,
            platforms=platforms,
        )
    for item in due:
        gateway = bot.gateways.get(Platform(item.tenant.platform))
        if not isinstance(gateway, PostFinder) or not item.row.thread_of:
            continue  # told as unknown to its author (update_posts.UNSURE_EDIT)
        try:
            await _find(bot, item, gateway, now=now)
        except Exception as problem:
            log.warning(
                "looking for update post %s failed: %s", item.row.id, type(problem).__name__
            )


async def _find(bot: Bot, item: store.Retry, gateway: ChatGateway, *, now: datetime) -> None:
    row, narration, person = item.row, item.narration, item.person
    assert row.id is not None and isinstance(gateway, PostFinder)
    async with bot.db.transaction() as session:
        if not await store.take_unsure(session, post_id=row.id, seen=row.claimed_at, now=now):
            return
        known = await store.known_in(session, channel_id=row.channel_id, thread_of=row.thread_of)
    tenant = tenant_ref(item.tenant)
    post = post_of(
        person.user_id,
        person.display_name,
        channel_id=row.channel_id,
        thread_of=row.thread_of,
        text=narration.text,
    )
    message_id = await gateway.find_post(tenant, post, known=known)
    async with bot.db.transaction() as session:
        if message_id is None:  # not there: the retry posts it
            await store.later(
                session,
                narration_id=narration.id or 0,
                channel_id=row.channel_id,
                thread_of=row.thread_of,
                retry_at=now,
                now=now,
            )
            return
        current = await store.keep(session, narration_id=narration.id or 0, message_id=message_id)
    if current is None:
        return
    try:  # it shows the text it went out with: an edit made since is applied now
        await gateway.update(
            tenant,
            message_id,
            post_of(
                person.user_id,
                person.display_name,
                channel_id=row.channel_id,
                thread_of=row.thread_of,
                text=current,
            ),
        )
    except Exception as problem:
        log.warning("updating a found update post failed: %s", type(problem).__name__)


async def _drop(bot: Bot, item: store.Retry) -> None:
    async with bot.db.transaction() as session:
        await store.drop(session, narration_id=item.narration.id or 0)


async def _drop_still_theirs(bot: Bot, item: store.Retry, *, now: datetime) -> bool:
    """Drop a post refused for good; whether its author is still to be told (their narration
    not made "only me" meanwhile, they neither left nor are being erased), read again with
    the drop: the refusal may come after a while of trying."""
    async with bot.db.transaction() as session:
        await store.drop(session, narration_id=item.narration.id or 0)
        narration = await session.get(Narration, item.narration.id)
        person = await session.get(Person, item.person.id)
    return (
        narration is not None
        and narration.audience != Audience.ONLY_ME.value
        and person is not None
        and person.departed_at is None
        and not erasure_pending(person, now)
    )


async def _again(bot: Bot, item: store.Retry, gateway: ChatGateway | None, *, now: datetime) -> int:
    """Try once more later, or, after the last try, drop the claim and tell the author."""
    tries = item.row.attempts + 1
    if tries < RETRY_TRIES:
        async with bot.db.transaction() as session:
            await store.later(
                session,
                narration_id=item.narration.id or 0,
                channel_id=item.channel.channel_id,
                thread_of=item.row.thread_of,
                retry_at=now + _backoff(tries),
                now=now,
            )
        return 0
    await _drop(bot, item)
    await _tell(item, gateway, why=" after several tries, so it isn't there.")
    return 0


async def _tell(item: store.Retry, gateway: ChatGateway | None, *, why: str) -> None:
    """DM the author that the update they were told would be tried again stays unposted.
    ``why`` ends the sentence begun with where it was to go: the reason, or the refusal's."""
    if gateway is None:
        return
    ordinal = item.narration.ordinal
    where = shown(item.channel.name)
    try:
        await gateway.post(
            tenant_ref(item.tenant),
            Post(
                text=(
                    f"I couldn't post your update #{ordinal} in the prompt's thread in {where}"
                    f"{why} It is kept as your narration all the same."
                ),
                to_users=(item.person.user_id,),
            ),
        )
    except Exception as problem:  # the update is kept either way
        log.warning("telling of an unposted update failed: %s", type(problem).__name__)
