"""Queries on the posts of form updates in their prompts' threads (``UpdatePost``).

A post is claimed before it goes out (``claim``: one row per narration, so a second try finds it
and posts nothing), noted once the platform took it (``keep``), and its claim dropped when the
platform refused (``drop``). An edit reads it (``of_narration``); a delete and forget-me read it
before its narration goes (``of_person``), then delete the post; an "only for me" again takes it
back (``withdraw``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .orphan_post_tables import UpdatePostOrphan
from .schedule_tables import PROMPT, Schedule, ScheduleSend
from .schedules import SENT
from .tables import Channel, Narration, Person, Tenant
from .update_post_tables import UpdatePost


@dataclass(frozen=True)
class PostRef:
    """Where an update's post is: its channel, the prompt's message (the thread) and its own."""

    channel_id: str
    thread_of: str
    message_id: str
    ordinal: int = 0
    # For a post with no id yet: when it was claimed (or taken by a retry), and whether it
    # waits for the tick's retry (so is known not to be out).
    claimed_at: datetime | None = None
    waiting: bool = False


async def repeat_of(
    session: AsyncSession,
    *,
    person_id: int,
    channel_pk: int,
    schedule_id: int,
    text: str,
    source: str,
    since: datetime,
) -> int | None:
    """The short id of this person's narration with this very text, from this source in this
    channel answering the same prompt (``schedule_id``), kept at ``since`` or later: the same
    form sent twice (a double submit, a retry), which must neither be kept nor posted again.
    The same words to another prompt ("done" to the standup and to the release checklist) are
    another update. ``None`` when there is none."""
    found = await session.exec(
        select(Narration.ordinal)
        .where(
            Narration.person_id == person_id,
            Narration.channel_pk == channel_pk,
            Narration.prompt_schedule_id == schedule_id,
            Narration.source == source,
            col(Narration.created_at) >= since,
            col(Narration.text) == text,
        )
        .order_by(col(Narration.created_at).desc())
    )
    return found.first()


async def latest_prompt(session: AsyncSession, *, schedule_id: int) -> str | None:
    """The platform message id of this schedule's newest prompt that went out (its thread is
    where an update to it goes); ``None`` when none has."""
    found = await session.exec(
        select(ScheduleSend.message_id)
        .join(Schedule, col(Schedule.id) == col(ScheduleSend.schedule_id))
        .where(
            ScheduleSend.schedule_id == schedule_id,
            Schedule.kind == PROMPT,
            ScheduleSend.part == "main",
            ScheduleSend.status == SENT,
            col(ScheduleSend.message_id).is_not(None),
        )
        .order_by(col(ScheduleSend.slot).desc(), col(ScheduleSend.id).desc())
    )
    return found.first()


async def claim(
    session: AsyncSession,
    *,
    narration_id: int,
    channel_id: str,
    thread_of: str,
    now: datetime,
) -> bool:
    """Claim the post of this narration; ``False`` when it was claimed already (posted, or being
    posted by another try). Commits nothing itself: the caller's transaction holds the claim."""
    if await find(session, narration_id=narration_id) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(
                UpdatePost(
                    narration_id=narration_id,
                    channel_id=channel_id,
                    thread_of=thread_of,
                    claimed_at=now,
                )
            )
    except IntegrityError:  # another replica claimed it between the read and the insert
        return False
    return True


async def find(session: AsyncSession, *, narration_id: int) -> UpdatePost | None:
    """The post's row, held until the transaction ends (on PostgreSQL): a delete reading it
    waits for a post being noted (``keep``), or the noting waits for the delete, so one of
    them always sees the other and the post never outlives its narration unnoticed."""
    found = await session.exec(
        select(UpdatePost).where(UpdatePost.narration_id == narration_id).with_for_update()
    )
    return found.first()


async def keep(session: AsyncSession, *, narration_id: int, message_id: str) -> str | None:
    """Note the post's id, and return the narration's text as it is now (held until the
    transaction ends, so an edit committing meanwhile either is read here or finds the id);
    ``None`` when its claim is gone (the narration was deleted, or its author forgotten, while
    it was being posted): the caller deletes the post at once."""
    noted = await session.exec(
        update(UpdatePost)
        .where(col(UpdatePost.narration_id) == narration_id)
        .values(message_id=message_id, retry_at=None)
    )
    if not noted.rowcount:
        return None
    found = await session.exec(
        select(Narration.text).where(col(Narration.id) == narration_id).with_for_update()
    )
    return found.first()


async def drop(session: AsyncSession, *, narration_id: int) -> None:
    """Forget a claim whose post never went out (the platform refused it)."""
    await session.exec(
        delete(UpdatePost).where(
            col(UpdatePost.narration_id) == narration_id, col(UpdatePost.message_id).is_(None)
        )
    )


async def forget(session: AsyncSession, *, narration_id: int) -> None:
    """Forget the post of this narration (deleted from its thread)."""
    await session.exec(delete(UpdatePost).where(col(UpdatePost.narration_id) == narration_id))


async def withdraw(session: AsyncSession, *, narration_id: int, tenant_id: int) -> PostRef | None:
    """Take back the post of a narration made "only for me" again (``unshare``), in its
    transaction: where it is (``None`` when it has none). A post out already leaves its place to
    the orphaned posts' repair (``UpdatePostOrphan``) in this same transaction, so it is deleted
    in the end even when the platform fails right after, or the process stops: the caller
    deletes it at once and forgets the place (``orphan_posts.settle``). A post still going out
    loses its claim, so its poster deletes it once it is out (``keep``), and a retry waiting
    finds nothing to post. Sharing again later posts nothing: the row is gone."""
    row = await find(session, narration_id=narration_id)
    if row is None:
        return None
    if row.message_id:
        session.add(
            UpdatePostOrphan(
                tenant_id=tenant_id,
                channel_id=row.channel_id,
                thread_of=row.thread_of,
                message_id=row.message_id,
            )
        )
    taken = ref(row)
    await forget(session, narration_id=narration_id)
    return taken


def ref(row: UpdatePost, ordinal: int = 0) -> PostRef:
    return PostRef(
        channel_id=row.channel_id,
        thread_of=row.thread_of,
        message_id=row.message_id or "",
        ordinal=ordinal,
        claimed_at=row.claimed_at,
        waiting=row.retry_at is not None,
    )


async def of_person(session: AsyncSession, *, person_id: int) -> list[PostRef]:
    """The posts of this person's updates, oldest first; read (and held) before their rows go.
    One still being posted has an empty ``message_id`` (its poster deletes it when it finds its
    claim gone)."""
    rows = await session.exec(
        select(UpdatePost, Narration.ordinal)
        .join(Narration, col(Narration.id) == col(UpdatePost.narration_id))
        .where(Narration.person_id == person_id)
        .order_by(col(UpdatePost.claimed_at), col(UpdatePost.id))
        .with_for_update(of=UpdatePost)  # as ``find``: a post being noted is seen, or sees
    )
    return [ref(row, ordinal) for row, ordinal in rows.all()]


async def posted_of(session: AsyncSession, *, person_id: int) -> dict[int, datetime]:
    """When each of this person's narrations was posted in its prompt's thread, by narration id
    (for their export)."""
    rows = await session.exec(
        select(UpdatePost.narration_id, UpdatePost.claimed_at)
        .join(Narration, col(Narration.id) == col(UpdatePost.narration_id))
        .where(Narration.person_id == person_id, col(UpdatePost.message_id).is_not(None))
    )
    return dict(rows.all())


@dataclass(frozen=True)
class Retry:
    """A post waiting for the tick to try it again, with what it is made from."""

    row: UpdatePost
    narration: Narration
    person: Person
    channel: Channel
    tenant: Tenant


async def later(
    session: AsyncSession,
    *,
    narration_id: int,
    channel_id: str,
    thread_of: str,
    retry_at: datetime,
    now: datetime,
) -> bool:
    """Leave this narration's post for the tick to try at ``retry_at`` (claiming it first when
    the failure came before the claim); ``thread_of`` empty when the prompt's thread wasn't
    known yet (the tick looks it up). ``False`` when it went out already."""
    row = await find(session, narration_id=narration_id)
    if row is not None and row.message_id:
        return False
    if row is None:
        try:
            async with session.begin_nested():
                session.add(
                    UpdatePost(
                        narration_id=narration_id,
                        channel_id=channel_id,
                        thread_of=thread_of,
                        claimed_at=now,
                        retry_at=retry_at,
                    )
                )
        except IntegrityError:  # claimed meanwhile by another try: that one posts it
            return False
        return True
    row.retry_at = retry_at
    if thread_of:
        row.thread_of = thread_of
    session.add(row)
    return True


async def _with_tenants(
    session: AsyncSession, rows: Sequence[tuple[UpdatePost, Narration, Person, Channel]]
) -> list[Retry]:
    """Each post found with its workspace, read per post rather than joined (see ``unsure_due``);
    a post whose workspace went meanwhile is left out."""
    found: list[Retry] = []
    for row, narration, person, channel in rows:
        tenant = await session.get(Tenant, narration.tenant_id)
        if tenant is not None:
            found.append(Retry(row, narration, person, channel, tenant))
    return found


async def due_retries(session: AsyncSession, *, now: datetime, limit: int) -> list[Retry]:
    """Posts whose retry is due, oldest claim first."""
    rows = await session.exec(
        select(UpdatePost, Narration, Person, Channel)
        .join(Narration, col(Narration.id) == col(UpdatePost.narration_id))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            col(UpdatePost.message_id).is_(None),
            col(UpdatePost.retry_at).is_not(None),
            col(UpdatePost.retry_at) <= now,
        )
        .order_by(col(UpdatePost.retry_at), col(UpdatePost.id))
        .limit(limit)
    )
    return await _with_tenants(session, rows.all())


async def take(session: AsyncSession, *, post_id: int, seen: datetime, now: datetime) -> bool:
    """Take a due retry for one try, counted: ``False`` when another tick (a replica) took it
    since it was read (its ``retry_at`` is no longer ``seen``). Taken, it is in flight like a
    claim its command makes (no ``retry_at``): a tick that dies after the platform took the
    post leaves it there, and it is never posted a second time."""
    taken = await session.exec(
        update(UpdatePost)
        .where(
            col(UpdatePost.id) == post_id,
            col(UpdatePost.retry_at) == seen,
            col(UpdatePost.message_id).is_(None),
        )
        .values(retry_at=None, claimed_at=now, attempts=UpdatePost.attempts + 1)
    )
    return bool(taken.rowcount)


async def next_retry(
    session: AsyncSession, *, after: datetime | None, until: datetime
) -> datetime | None:
    """When the next retry falls due, after ``after`` and up to ``until`` (``run_due``)."""
    query = select(UpdatePost.retry_at).where(
        col(UpdatePost.message_id).is_(None),
        col(UpdatePost.retry_at).is_not(None),
        col(UpdatePost.retry_at) <= until,
    )
    if after is not None:
        query = query.where(col(UpdatePost.retry_at) > after)
    found = await session.exec(query.order_by(col(UpdatePost.retry_at)).limit(1))
    return found.first()


async def unsure_due(
    session: AsyncSession,
    *,
    claimed_before: datetime,
    tries: int,
    limit: int,
    platforms: list[str],
) -> list[Retry]:
    """Posts claimed before ``claimed_before`` with no id and no retry waiting (maybe out, their
    id never saved), looked for fewer than ``tries`` times, on ``platforms``, oldest first."""
    rows = await session.exec(
        select(UpdatePost, Narration, Person, Channel)
        .join(Narration, col(Narration.id) == col(UpdatePost.narration_id))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            # Checked per post found, not joined: joined, SQLite began with the workspaces'
            # every narration instead of the few posts in flight (``ix_update_post_unsure``).
            exists().where(
                col(Tenant.id) == col(Narration.tenant_id), col(Tenant.platform).in_(platforms)
            ),
            col(UpdatePost.message_id).is_(None),
            col(UpdatePost.retry_at).is_(None),
            col(UpdatePost.claimed_at) <= claimed_before,
            col(UpdatePost.attempts) < tries,
        )
        .order_by(col(UpdatePost.claimed_at), col(UpdatePost.id))
        .limit(limit)
    )
    return await _with_tenants(session, rows.all())


async def take_unsure(
    session: AsyncSession, *, post_id: int, seen: datetime, now: datetime
) -> bool:
    """Take a maybe-out post for one look, counted: ``False`` when another tick took it."""
    taken = await session.exec(
        update(UpdatePost)
        .where(
            col(UpdatePost.id) == post_id,
            col(UpdatePost.claimed_at) == seen,
            col(UpdatePost.message_id).is_(None),
            col(UpdatePost.retry_at).is_(None),
        )
        .values(claimed_at=now, attempts=UpdatePost.attempts + 1)
    )
    return bool(taken.rowcount)


async def known_in(session: AsyncSession, *, channel_id: str, thread_of: str) -> list[str]:
    """The ids of the posts noted in this thread (a look for a lost one skips them)."""
    rows = await session.exec(
        select(UpdatePost.message_id).where(
            UpdatePost.channel_id == channel_id,
            UpdatePost.thread_of == thread_of,
            col(UpdatePost.message_id).is_not(None),
        )
    )
    return [m for m in rows.all() if m]


async def next_unsure(
    session: AsyncSession, *, tries: int, after: datetime | None, until: datetime, wait: timedelta
) -> datetime | None:
    """When the next maybe-out post may be looked for (``run_due``)."""
    query = select(UpdatePost.claimed_at).where(
        col(UpdatePost.message_id).is_(None),
        col(UpdatePost.retry_at).is_(None),
        col(UpdatePost.attempts) < tries,
        col(UpdatePost.claimed_at) <= until - wait,
    )
    if after is not None:
        query = query.where(col(UpdatePost.claimed_at) > after - wait)
    found = await session.exec(query.order_by(col(UpdatePost.claimed_at)).limit(1))
    first = found.first()
    return None if first is None else first + wait
