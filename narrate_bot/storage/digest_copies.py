"""Reading and rewriting the digest's copies of open questions (``digest_copy_tables``).

``gone``/``take_gone``/``gone_done``/``gone_later``/``gone_refused`` run the repair of the lines
an older replica's deletes left (``DigestQuestionGone``, kept by a trigger), as ``orphan_posts``
does; ``reachable_again`` makes the refused ones due once the bot is back in their channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .digest_copy_tables import DigestQuestion, DigestQuestionGone, DigestThread
from .question_tables import OpenQuestion
from .schedule_tables import Schedule, ScheduleSend
from .schedules import SENT
from .tables import Tenant


async def keep(
    session: AsyncSession, *, send_id: int, post: str, alone: bool, lines: Sequence[tuple[int, str]]
) -> None:
    """Note the digest thread post ``send_id`` is about to deliver and which question each of
    ``lines`` is. A send composed again (a retry) replaces what its first try noted."""
    await session.exec(delete(DigestThread).where(col(DigestThread.send_id) == send_id))
    session.add(DigestThread(send_id=send_id, post=post, alone=alone))
    await session.flush()
    for question_id, line in lines:
        session.add(DigestQuestion(send_id=send_id, question_id=question_id, line=line))
    await session.flush()


@dataclass(frozen=True)
class Listing:
    """A digest thread post that listed some of the questions, and where it is."""

    send_id: int
    post: str
    alone: bool
    lines: tuple[str, ...]  # the questions' lines, to take out
    tenant: Tenant
    message_id: str | None  # None: not posted (yet, or ever)
    main_message_id: str | None  # the week's post the thread hangs from


async def listings(
    session: AsyncSession, *, person_id: int | None = None, question_id: int | None = None
) -> list[Listing]:
    """The digest posts listing a person's questions, or one question, taken for this
    transaction (``FOR UPDATE``: two erasures editing one post take turns)."""
    condition = (
        col(OpenQuestion.person_id) == person_id
        if person_id is not None
        else col(OpenQuestion.id) == question_id
    )
    rows = (
        await session.exec(
            select(DigestQuestion.send_id, DigestQuestion.line)
            .join(OpenQuestion, col(OpenQuestion.id) == col(DigestQuestion.question_id))
            .where(condition)
            .order_by(col(DigestQuestion.send_id))
        )
    ).all()
    lines: dict[int, list[str]] = {}
    for send_id, line in rows:
        lines.setdefault(send_id, []).append(line)
    found: list[Listing] = []
    for send_id, taken in lines.items():
        listing = await _listing(session, send_id=send_id, lines=tuple(taken))
        if listing is not None:
            found.append(listing)
    return found


async def _listing(
    session: AsyncSession, *, send_id: int, lines: tuple[str, ...]
) -> Listing | None:
    """One digest post with ``lines`` to take out, taken for this transaction."""
    main = aliased(ScheduleSend)
    row = (
        await session.exec(
            select(DigestThread, ScheduleSend, Tenant, main.message_id)
            .join(ScheduleSend, col(ScheduleSend.id) == col(DigestThread.send_id))
            .join(Tenant, col(Tenant.id) == col(ScheduleSend.tenant_id))
            .outerjoin(
                main,
                (col(main.schedule_id) == col(ScheduleSend.schedule_id))
                & (col(main.slot) == col(ScheduleSend.slot))
                & (col(main.part) == col(ScheduleSend.thread_part)),
            )
            .where(col(DigestThread.send_id) == send_id)
            .with_for_update(of=DigestThread)
        )
    ).first()
    if row is None:
        return None
    thread, send, tenant, main_message_id = row
    return Listing(
        send_id=send_id,
        post=thread.post,
        alone=thread.alone,
        lines=lines,
        tenant=tenant,
        message_id=send.message_id if send.status == SENT else None,
        main_message_id=main_message_id,
    )


async def rewrite(session: AsyncSession, *, send_id: int, post: str | None) -> None:
    """Keep the post as edited; ``None``: nothing of it is left to keep."""
    if post is None:
        await session.exec(delete(DigestThread).where(col(DigestThread.send_id) == send_id))
        return
    await session.exec(
        update(DigestThread).where(col(DigestThread.send_id) == send_id).values(post=post)
    )


async def forget(
    session: AsyncSession, *, person_id: int | None = None, question_id: int | None = None
) -> None:
    """Drop the lines' records once they are out of their posts."""
    questions = select(OpenQuestion.id).where(
        col(OpenQuestion.person_id) == person_id
        if person_id is not None
        else col(OpenQuestion.id) == question_id
    )
    await session.exec(delete(DigestQuestion).where(col(DigestQuestion.question_id).in_(questions)))


async def lines_of(session: AsyncSession, *, person_id: int) -> list[str]:
    """A person's questions' lines in digests' threads, as posted: for their export."""
    rows = await session.exec(
        select(DigestQuestion.line)
        .join(OpenQuestion, col(OpenQuestion.id) == col(DigestQuestion.question_id))
        .where(col(OpenQuestion.person_id) == person_id)
        .order_by(col(DigestQuestion.send_id))
    )
    return list(rows.all())


async def gone(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """The digest posts with lines an older replica's deletes left, due for a try (new ones,
    then those whose wait is over). A read of the table (empty but for such deletes)."""
    rows = await session.exec(
        select(DigestQuestionGone.send_id)
        .where(
            col(DigestQuestionGone.retry_at).is_(None) | (col(DigestQuestionGone.retry_at) <= now)
        )
        .distinct()
        .order_by(col(DigestQuestionGone.send_id))
        .limit(limit)
    )
    return list(rows.all())


async def take_gone(
    session: AsyncSession, *, send_id: int, now: datetime, until: datetime
) -> tuple[Listing | None, int, list[int]]:
    """Take a post's due lines for one try, leased until ``until``: the post with them (``None``
    when another replica took them, or the post went), the tries so far, and the lines'
    question ids."""
    listing = await _listing(session, send_id=send_id, lines=())
    if listing is None:
        return None, 0, []
    due = (
        await session.exec(
            select(DigestQuestionGone).where(
                col(DigestQuestionGone.send_id) == send_id,
                col(DigestQuestionGone.retry_at).is_(None)
                | (col(DigestQuestionGone.retry_at) <= now),
            )
        )
    ).all()
    if not due:
        return None, 0, []
    questions = [row.question_id for row in due]
    tries = max(row.attempts for row in due)  # before the update below refreshes them
    await session.exec(
        update(DigestQuestionGone)
        .where(
            col(DigestQuestionGone.send_id) == send_id,
            col(DigestQuestionGone.question_id).in_(questions),
        )
        .values(retry_at=until, attempts=DigestQuestionGone.attempts + 1)
    )
    return (
        Listing(
            send_id=listing.send_id,
            post=listing.post,
            alone=listing.alone,
            lines=tuple(row.line for row in due),
            tenant=listing.tenant,
            message_id=listing.message_id,
            main_message_id=listing.main_message_id,
        ),
        tries,
        questions,
    )


async def gone_done(
    session: AsyncSession, *, send_id: int, post: str | None, question_ids: Sequence[int]
) -> None:
    """The platform shows the post without the lines: keep it as it now is (``None``: deleted,
    and its record with its lines goes), and forget those lines."""
    if post is None:
        await session.exec(delete(DigestThread).where(col(DigestThread.send_id) == send_id))
        return
    await session.exec(
        update(DigestThread).where(col(DigestThread.send_id) == send_id).values(post=post)
    )
    await session.exec(
        delete(DigestQuestionGone).where(
            col(DigestQuestionGone.send_id) == send_id,
            col(DigestQuestionGone.question_id).in_(list(question_ids)),
        )
    )


async def gone_later(session: AsyncSession, *, send_id: int, retry_at: datetime) -> None:
    """A try failed: put the post's lines off until ``retry_at``."""
    await session.exec(
        update(DigestQuestionGone)
        .where(col(DigestQuestionGone.send_id) == send_id)
        .values(retry_at=retry_at)
    )


async def gone_refused(
    session: AsyncSession, *, send_id: int, at: datetime, retry_at: datetime
) -> bool:
    """The platform refused for good to take the post's lines out: put them off until
    ``retry_at``, noting the first refusal of each (``refused_at``); whether any was refused for
    the first time (the one logged)."""
    lines = col(DigestQuestionGone.send_id) == send_id
    first = await session.exec(
        update(DigestQuestionGone)
        .where(lines, col(DigestQuestionGone.refused_at).is_(None))
        .values(refused_at=at)
    )
    await session.exec(update(DigestQuestionGone).where(lines).values(retry_at=retry_at))
    return bool(first.rowcount)


async def reachable_again(session: AsyncSession, *, channel_pk: int) -> None:
    """Make the refused lines of this channel's digests due at once: the bot was added to it
    again, so the edit or delete it was refused may now go through, rather than a week on."""
    sends = (
        select(ScheduleSend.id)
        .join(Schedule, col(Schedule.id) == col(ScheduleSend.schedule_id))
        .where(col(Schedule.channel_pk) == channel_pk)
    )
    await session.exec(
        update(DigestQuestionGone)
        .where(
            col(DigestQuestionGone.send_id).in_(sends),
            col(DigestQuestionGone.refused_at).is_not(None),
        )
        .values(retry_at=None)
    )
