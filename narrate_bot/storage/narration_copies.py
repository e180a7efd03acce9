"""Queries on messages that quote narrations (``copy_tables``).

``keep`` notes a message once posted. ``quoting`` reads, for a narration's delete, edit or
unshare (or its author's forget-me), the messages quoting it, taken for the transaction
(``FOR UPDATE``: two changes to one message take turns), and ``rewrite`` keeps what each is to
say now and makes it due. ``due``/``take``/``synced``/``later`` run the platform's edits, as
``orphan_posts`` does for deletes: every change is tried until the platform confirms it.
``gone``/``said_gone`` turn the lines an older replica's deletes left (``NarrationCopyGone``,
kept by a trigger) into what this version's own deletes would have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import refusals
from .copy_tables import NarrationCopy, NarrationCopyGone, NarrationCopyQuote
from .repositories import visible_to
from .tables import Channel, Narration, Person, Tenant


async def keep(
    session: AsyncSession,
    *,
    tenant_id: int,
    person_id: int | None,
    kind: str,
    message_id: str,
    post: str,
    now: datetime,
    quotes: Sequence[tuple[int, str]],
    due_at: datetime | None = None,
    channel_pk: int | None = None,
    reader_user_id: str | None = None,
) -> int:
    """Note a posted message and the line quoting each narration in it; ``due_at``: the
    platform's copy must be edited (a narration deleted while it went out). Its reader is
    ``person_id``, or ``reader_user_id`` (someone with no person row), or everyone in
    ``channel_pk``. The new record's id."""
    copy = NarrationCopy(
        tenant_id=tenant_id,
        person_id=person_id,
        reader_user_id=reader_user_id,
        channel_pk=channel_pk,
        kind=kind,
        message_id=message_id,
        post=post,
        posted_at=now,
        retry_at=due_at,
    )
    session.add(copy)
    await session.flush()
    assert copy.id is not None
    for narration_id, line in sorted(quotes):  # in id order, as ``_hold`` takes them
        session.add(NarrationCopyQuote(copy_id=copy.id, narration_id=narration_id, line=line))
    await session.flush()
    return copy.id


@dataclass(frozen=True)
class Quoting:
    """A message quoting a narration, with that narration's line in it and who reads it
    (``None``: ``copy.reader_user_id``, someone with no person row, or everyone in the channel
    ``copy.channel_pk``)."""

    copy: NarrationCopy
    line: str
    reader: Person | None


async def _hold(session: AsyncSession, narrations: ColumnElement[bool]) -> None:
    """Take the narrations about to change (``FOR UPDATE``, in id order) before reading the
    messages that quote them. A message being kept by another transaction (a who-knows answer
    just posted) whose quote of one is inserted but not yet committed holds that narration's
    key (its foreign key check): this waits for it to commit, and the read that follows sees
    its quote, which the change then reaches at once. Read first, it was missed: the answer
    kept the words of a narration its author had just deleted or been forgotten with. Keeping
    inserts its quotes in id order too (``keep``), so the two never wait on each other in a
    circle. SQLite serializes writers: there it is a plain read."""
    await session.exec(
        select(Narration.id).where(narrations).order_by(col(Narration.id)).with_for_update()
    )


async def hold_quoted(session: AsyncSession, *, narration_ids: Sequence[int]) -> None:
    """Hold the narrations a message being kept quotes (``FOR SHARE``, in id order) until it
    commits. On PostgreSQL an edit of one of them committed between the keeping's read of its
    words and its insert was never seen: the edit's change found no quote yet, and the message
    kept the old words (a delete fails the insert's foreign key instead, and the keeping runs
    again). Held, an edit under way commits before the read, and one that comes later waits
    for the quote and then rewrites it (``_hold``). SQLite serializes writers: a plain read."""
    if not narration_ids:
        return
    await session.exec(
        select(Narration.id)
        .where(col(Narration.id).in_(sorted(set(narration_ids))))
        .order_by(col(Narration.id))
        .with_for_update(read=True)
    )


async def quoting(session: AsyncSession, *, narration_ids: Sequence[int]) -> list[Quoting]:
    """The messages quoting any of ``narration_ids``, one entry per quote, taken for this
    transaction (the narrations first: ``_hold``)."""
    if not narration_ids:
        return []
    await _hold(session, col(Narration.id).in_(list(narration_ids)))
    rows = await session.exec(
        select(NarrationCopy, NarrationCopyQuote.line, Person)
        .join(NarrationCopyQuote, col(NarrationCopyQuote.copy_id) == col(NarrationCopy.id))
        .outerjoin(Person, col(Person.id) == col(NarrationCopy.person_id))
        .where(col(NarrationCopyQuote.narration_id).in_(list(narration_ids)))
        .order_by(col(NarrationCopy.id))
        .with_for_update(of=NarrationCopy)
    )
    return [Quoting(copy, line, reader) for copy, line, reader in rows.all()]


async def quoting_person(session: AsyncSession, *, person_id: int) -> list[int]:
    """The ids of a person's narrations that some message quotes (their forget-me), every one
    of their narrations taken first (``_hold``), after the person's row, as the erasure takes
    it (``privacy.erase_person``): a write about them holding that row (an edit) and then
    waiting for a narration can't wait for the erasure in a circle."""
    await session.exec(select(Person.id).where(col(Person.id) == person_id).with_for_update())
    await _hold(session, col(Narration.person_id) == person_id)
    rows = await session.exec(
        select(NarrationCopyQuote.narration_id)
        .join(Narration, col(Narration.id) == col(NarrationCopyQuote.narration_id))
        .where(col(Narration.person_id) == person_id)
        .distinct()
    )
    return list(rows.all())


async def rewrite(
    session: AsyncSession,
    *,
    copy_id: int,
    post: str,
    narration_id: int,
    line: str | None,
    now: datetime,
) -> None:
    """Keep what the message is to say now and make it due at once; the narration's line is
    ``line`` now, or no longer a quote (``None``: removed)."""
    await session.exec(
        update(NarrationCopy)
        .where(col(NarrationCopy.id) == copy_id)
        .values(post=post, retry_at=now, attempts=0)
    )
    quote = (col(NarrationCopyQuote.copy_id) == copy_id) & (
        col(NarrationCopyQuote.narration_id) == narration_id
    )
    if line is None:
        await session.exec(delete(NarrationCopyQuote).where(quote))
    else:
        await session.exec(update(NarrationCopyQuote).where(quote).values(line=line))


async def readable(
    session: AsyncSession, *, narration_id: int, tenant_id: int, user_id: str
) -> bool:
    """Whether the workspace's ``user_id`` may still read the narration, by the rule every
    answer uses."""
    found = await session.exec(
        select(Narration.id)
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            col(Narration.id) == narration_id,
            cast(
                "ColumnElement[bool]",
                visible_to(tenant_id=tenant_id, viewer_user_id=user_id, answer_channel_pk=None),
            ),
        )
    )
    return found.first() is not None


async def readable_in(session: AsyncSession, *, narration_id: int, channel_pk: int) -> bool:
    """Whether everyone in the channel ``channel_pk`` may still read the narration, by the rule
    an answer posted there chose its evidence with: of that channel's workspace, and shared
    with the whole workspace, or shared with its channel when that is public or is this one.
    A narration unshared back to "only me" is its author's alone, wherever it was written."""
    workspace = select(Channel.tenant_id).where(col(Channel.id) == channel_pk).scalar_subquery()
    found = await session.exec(
        select(Narration.id)
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            col(Narration.id) == narration_id,
            col(Narration.tenant_id) == workspace,
            or_(
                col(Narration.audience) == "tenant",
                and_(
                    col(Narration.audience) == "channel",
                    or_(col(Channel.kind) == "public", col(Channel.id) == channel_pk),
                ),
            ),
        )
    )
    return found.first() is not None


def quoted_one_gone(error: BaseException) -> bool:
    """A message's quote named a narration deleted by another transaction after it was read
    (PostgreSQL checks the foreign key at the insert): the whole transaction rolled back, and
    keeping the message again sees the narration gone."""
    return isinstance(error, IntegrityError)


@dataclass(frozen=True)
class Due:
    """A message whose platform copy is behind what it should say, with its workspace."""

    copy: NarrationCopy
    tenant: Tenant


async def due(
    session: AsyncSession,
    *,
    now: datetime,
    platforms: Sequence[str],
    limit: int,
    copy_ids: Sequence[int] | None = None,
) -> list[Due]:
    """The messages to edit now (a range read of ``ix_narration_copy_retry_at``: one probe
    when none is), in workspaces of ``platforms``; or only ``copy_ids`` of them."""
    query = (
        select(NarrationCopy, Tenant)
        .join(Tenant, col(Tenant.id) == col(NarrationCopy.tenant_id))
        .where(
            col(NarrationCopy.retry_at) <= now,
            col(Tenant.platform).in_(list(platforms)),
        )
        .order_by(col(NarrationCopy.retry_at))
        .limit(limit)
    )
    if copy_ids is not None:
        query = query.where(col(NarrationCopy.id).in_(list(copy_ids)))
    return [Due(copy, tenant) for copy, tenant in (await session.exec(query)).all()]


async def take(session: AsyncSession, *, copy_id: int, seen: datetime, until: datetime) -> bool:
    """Take a due message for one try, leased until ``until``: ``False`` when another replica
    (or a change) moved it since it was read."""
    taken = await session.exec(
        update(NarrationCopy)
        .where(col(NarrationCopy.id) == copy_id, col(NarrationCopy.retry_at) == seen)
        .values(retry_at=until, attempts=NarrationCopy.attempts + 1)
    )
    return bool(taken.rowcount)


async def synced(session: AsyncSession, *, copy_id: int, post: str) -> None:
    """The platform shows ``post``: nothing is due, unless the message changed meanwhile (its
    ``post`` differs, and it is due again). With no narration quoted any more, the row goes."""
    await session.exec(
        update(NarrationCopy)
        .where(col(NarrationCopy.id) == copy_id, col(NarrationCopy.post) == post)
        .values(retry_at=None, attempts=0, refused_at=None)
    )
    quoted = (
        await session.exec(
            select(NarrationCopyQuote.narration_id)
            .where(col(NarrationCopyQuote.copy_id) == copy_id)
            .limit(1)
        )
    ).first()
    if quoted is None:
        await session.exec(
            delete(NarrationCopy).where(
                col(NarrationCopy.id) == copy_id, col(NarrationCopy.retry_at).is_(None)
            )
        )


async def later(session: AsyncSession, *, copy_id: int, retry_at: datetime) -> None:
    """A try failed: put the message off until ``retry_at``."""
    await session.exec(
        update(NarrationCopy).where(col(NarrationCopy.id) == copy_id).values(retry_at=retry_at)
    )


async def refused(session: AsyncSession, *, copy_id: int, at: datetime, retry_at: datetime) -> bool:
    """The platform refused for good to edit the message: put it off until ``retry_at``, noting
    the first refusal; whether this was it (the one logged)."""
    return await refusals.refused(
        session,
        NarrationCopy,
        row=col(NarrationCopy.id) == copy_id,
        due=NarrationCopy.retry_at,
        refused_at=NarrationCopy.refused_at,
        at=at,
        retry_at=retry_at,
    )


def _sent_to(*, tenant_id: int, person_id: int | None, user_id: str) -> ColumnElement[bool]:
    """The messages read by one reader: kept under their person, or under their user id (a DM
    answer sent before they joined)."""
    by_user_id = and_(
        col(NarrationCopy.tenant_id) == tenant_id, col(NarrationCopy.reader_user_id) == user_id
    )
    if person_id is None:
        return by_user_id
    return or_(col(NarrationCopy.person_id) == person_id, by_user_id)


async def of_reader(
    session: AsyncSession, *, tenant_id: int, person_id: int | None, user_id: str, kind: str
) -> list[NarrationCopy]:
    """The messages of ``kind`` sent to a reader: for their export."""
    rows = await session.exec(
        select(NarrationCopy)
        .where(
            _sent_to(tenant_id=tenant_id, person_id=person_id, user_id=user_id),
            col(NarrationCopy.kind) == kind,
        )
        .order_by(col(NarrationCopy.id))
    )
    return list(rows.all())


async def to_empty(
    session: AsyncSession, *, tenant_id: int, person_id: int | None, user_id: str
) -> list[tuple[NarrationCopy, list[str]]]:
    """A reader's messages, each with the lines it quotes, taken for this transaction: their
    forget-me empties them."""
    copies = (
        await session.exec(
            select(NarrationCopy)
            .where(_sent_to(tenant_id=tenant_id, person_id=person_id, user_id=user_id))
            .order_by(col(NarrationCopy.id))
            .with_for_update()
        )
    ).all()
    found: list[tuple[NarrationCopy, list[str]]] = []
    for copy in copies:
        lines = await session.exec(
            select(NarrationCopyQuote.line)
            .where(col(NarrationCopyQuote.copy_id) == copy.id)
            .order_by(col(NarrationCopyQuote.narration_id))
        )
        found.append((copy, list(lines.all())))
    return found


async def emptied(session: AsyncSession, *, copy_id: int, post: str, now: datetime) -> None:
    """The message quotes nothing any more and says ``post``, due at once; it names no reader
    (its reader is being forgotten), nor when it was sent them: once the platform has the
    edit, the row goes."""
    await session.exec(
        update(NarrationCopy)
        .where(col(NarrationCopy.id) == copy_id)
        .values(
            post=post,
            retry_at=now,
            attempts=0,
            person_id=None,
            reader_user_id=None,
            posted_at=now,
        )
    )
    await session.exec(delete(NarrationCopyQuote).where(col(NarrationCopyQuote.copy_id) == copy_id))


async def forget_reader(session: AsyncSession, *, person_id: int) -> None:
    """Forget the messages still kept for a person (their erasure, once ``emptied``): their
    quote lines cascade."""
    await session.exec(delete(NarrationCopy).where(col(NarrationCopy.person_id) == person_id))


async def forget_reader_user(session: AsyncSession, *, tenant_id: int, user_id: str) -> None:
    """Forget the messages still kept under a user id (their erasure, once ``emptied``)."""
    await session.exec(
        delete(NarrationCopy).where(
            col(NarrationCopy.tenant_id) == tenant_id, col(NarrationCopy.reader_user_id) == user_id
        )
    )


async def gone(session: AsyncSession, *, limit: int) -> dict[int, list[tuple[int, str]]]:
    """Lines whose narration an older replica deleted, by message: (narration id, line). A
    read of the table's primary key (empty but for an older replica's deletes)."""
    rows = await session.exec(
        select(NarrationCopyGone)
        .order_by(col(NarrationCopyGone.copy_id), col(NarrationCopyGone.narration_id))
        .limit(limit)
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for row in rows.all():
        found.setdefault(row.copy_id, []).append((row.narration_id, row.line))
    return found


async def taken(session: AsyncSession, *, copy_id: int) -> NarrationCopy | None:
    """A message, taken for this transaction (a change to it waits its turn)."""
    rows = await session.exec(
        select(NarrationCopy).where(col(NarrationCopy.id) == copy_id).with_for_update()
    )
    return rows.first()


async def said_gone(
    session: AsyncSession,
    *,
    copy_id: int,
    post: str | None,
    narration_ids: Sequence[int],
    now: datetime,
) -> None:
    """The message says ``post`` now (``None``: as it did) and is due at once; the lines of
    ``narration_ids`` are dealt with."""
    if post is not None:
        await session.exec(
            update(NarrationCopy)
            .where(col(NarrationCopy.id) == copy_id)
            .values(post=post, retry_at=now, attempts=0)
        )
    await session.exec(
        delete(NarrationCopyGone).where(
            col(NarrationCopyGone.copy_id) == copy_id,
            col(NarrationCopyGone.narration_id).in_(list(narration_ids)),
        )
    )


async def reachable_again(session: AsyncSession, *, channel_pk: int) -> None:
    """Make the refused messages posted in this channel (who-knows answers) due at once: the
    bot was added to it again, so the edit it was refused may now go through, rather than a
    week on."""
    await session.exec(
        update(NarrationCopy)
        .where(
            col(NarrationCopy.channel_pk) == channel_pk,
            col(NarrationCopy.refused_at).is_not(None),
        )
        .values(retry_at=refusals.AT_ONCE)
    )
