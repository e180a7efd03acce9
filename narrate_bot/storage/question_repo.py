"""Queries on the open questions the bot posted (``question_tables.OpenQuestion``).

A question is kept before it is posted, under the asker's held row, so a second click of the same
button (or a platform's retry of it) finds the first and posts nothing; a question whose post
then fails is dropped again, since nobody saw it. Once posted, the row keeps where the post is
(``keep_post``), so the post can be deleted again when its asker is forgotten (``posts_of``).
Its asker may close it (``close``): answered, or withdrawn (its post deleted too). One whose post
the platform says is gone (``lose_post``, ``lose_channel``) is closed as lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .question_tables import ANSWERED, LOST, OPEN, WITHDRAWN, OpenQuestion, QuestionCredit
from .tables import Channel, Person


def _same(person_id: int, channel_pk: int, text: str, since: datetime) -> ColumnElement[bool]:
    return and_(
        col(OpenQuestion.person_id) == person_id,
        col(OpenQuestion.channel_pk) == channel_pk,
        col(OpenQuestion.text) == text,
        col(OpenQuestion.asked_at) >= since,
    )


async def asked_since(
    session: AsyncSession, *, person_id: int, channel_pk: int, text: str, since: datetime
) -> bool:
    """Whether this person's question ``text`` went to that channel at ``since`` or later and
    is still open there: one they withdrew (its post deleted) or said was answered may be
    asked again at once. ``posting`` tells whether its post is out yet."""
    found = await session.exec(
        select(OpenQuestion.id).where(
            _same(person_id, channel_pk, text, since), col(OpenQuestion.status) == OPEN
        )
    )
    return found.first() is not None


async def posting(
    session: AsyncSession, *, person_id: int, channel_pk: int, text: str, since: datetime
) -> datetime | None:
    """When that question, kept at ``since`` or later and not posted yet, was kept; ``None``
    if there is none. A question is kept before its post goes out and has no post id until the
    platform accepted it, or ever if the process posting it died in between."""
    found = await session.exec(
        select(OpenQuestion.asked_at)
        .where(
            _same(person_id, channel_pk, text, since),
            col(OpenQuestion.status) == OPEN,
            col(OpenQuestion.post_message_id).is_(None),
        )
        .order_by(col(OpenQuestion.asked_at).desc())
    )
    return found.first()


async def reclaim_unposted(
    session: AsyncSession, *, person_id: int, channel_pk: int, text: str, now: datetime
) -> bool:
    """Take over that question's row kept for a post that never went out (its process died
    before the platform accepted it), as asked ``now``: asked again, it is posted under that
    row instead of leaving it listed in digests as open beside the new one. ``False`` when
    there is none. Called with the asker's row held, once ``posting`` found none under way in
    the repeat window. Should its first post still land (a platform slower than that window),
    ``keep_post`` gives this row to whichever post is kept first and deletes the other."""
    rows = await session.exec(
        select(OpenQuestion)
        .where(
            col(OpenQuestion.person_id) == person_id,
            col(OpenQuestion.channel_pk) == channel_pk,
            col(OpenQuestion.text) == text,
            col(OpenQuestion.status) == OPEN,
            col(OpenQuestion.post_message_id).is_(None),
        )
        .order_by(col(OpenQuestion.asked_at).desc())
    )
    row = rows.first()
    if row is None:
        return False
    row.asked_at = now
    session.add(row)
    await session.flush()
    return True


async def drop_since(
    session: AsyncSession, *, person_id: int, channel_pk: int, text: str, since: datetime
) -> None:
    """Forget that question, kept at ``since`` or later, whose post never went out: the open
    row with no post noted. The same question asked earlier in the window and answered since
    keeps its row, which forget-me needs to delete that earlier post, and stats count."""
    rows = await session.exec(
        select(OpenQuestion).where(
            _same(person_id, channel_pk, text, since),
            col(OpenQuestion.status) == OPEN,
            col(OpenQuestion.post_message_id).is_(None),
        )
    )
    for row in rows.all():
        await session.delete(row)


# A post id once the post was deleted (withdrawn): NULL means never known, which is different.
DELETED = ""


@dataclass(frozen=True)
class PostRef:
    """Where a question's post is, read before its row goes so the post can follow it."""

    channel_id: str
    message_id: str
    channel_pk: int
    text: str
    channel_name: str = ""
    # Set by the feature when the post was deleted but its thread, titled with it, stayed.
    only_thread: bool = False


@dataclass(frozen=True)
class Kept:
    """The question a post was noted for, as it stands now."""

    question_id: int
    status: str


async def keep_post(
    session: AsyncSession,
    *,
    person_id: int,
    channel_pk: int,
    text: str,
    since: datetime,
    channel_id: str,
    message_id: str,
) -> Kept | None:
    """Note where the question kept at ``since`` or later was posted, on its row with no post
    noted yet, whatever became of it meanwhile: its asker may have marked it answered (its
    post stays, with the answers to come) or withdrawn it (the caller deletes the post, and
    forget-me can find it should that fail) while it went out. An open row goes first (one
    closed in the window and asked again is posted twice with the same words). ``None``
    when its row is gone: the asker was forgotten (or the question dropped) meanwhile."""
    rows = await session.exec(
        select(OpenQuestion)
        .where(
            _same(person_id, channel_pk, text, since),
            col(OpenQuestion.post_message_id).is_(None),
        )
        .order_by(
            (col(OpenQuestion.status) == OPEN).desc(),
            col(OpenQuestion.asked_at).desc(),
            col(OpenQuestion.id).desc(),
        )
        .with_for_update()
    )
    row = rows.first()
    if row is None or row.id is None:
        return None
    row.post_channel_id, row.post_message_id = channel_id, message_id
    session.add(row)
    await session.flush()
    return Kept(question_id=row.id, status=row.status)


async def posts_of(session: AsyncSession, *, person_id: int) -> list[PostRef]:
    """The posts of this person's questions not deleted yet, oldest first. One whose id was
    never kept (posted before migration 0020, or its id failed to store) has an empty
    ``message_id``: it can't be deleted, but the person is told it is there."""
    rows = await session.exec(
        select(OpenQuestion, Channel.name)
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(
            col(OpenQuestion.person_id) == person_id,
            or_(
                col(OpenQuestion.post_message_id).is_(None),
                col(OpenQuestion.post_message_id) != DELETED,
            ),
        )
        .order_by(col(OpenQuestion.asked_at), col(OpenQuestion.id))
    )
    return [
        PostRef(
            channel_id=row.post_channel_id or "",
            message_id=row.post_message_id or "",
            channel_pk=row.channel_pk,
            text=row.text,
            channel_name=name,
        )
        for row, name in rows.all()
    ]


async def latest_open(session: AsyncSession, *, person_id: int) -> tuple[OpenQuestion, str] | None:
    """This person's newest question still open, with its channel's name; ``None`` if none."""
    found = await session.exec(
        select(OpenQuestion, Channel.name)
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(col(OpenQuestion.person_id) == person_id, col(OpenQuestion.status) == OPEN)
        .order_by(col(OpenQuestion.asked_at).desc(), col(OpenQuestion.id).desc())
        .with_for_update(of=OpenQuestion)
    )
    row = found.first()
    return (row[0], row[1]) if row is not None else None


async def open_count(session: AsyncSession, *, person_id: int) -> int:
    found = await session.exec(
        select(func.count())
        .select_from(OpenQuestion)
        .where(col(OpenQuestion.person_id) == person_id, col(OpenQuestion.status) == OPEN)
    )
    return int(found.one())


async def close(
    session: AsyncSession, question: OpenQuestion, *, status: str, now: datetime
) -> None:
    """Mark ``question`` answered or withdrawn: digests stop listing it."""
    assert status in (ANSWERED, WITHDRAWN)
    question.status, question.closed_at = status, now
    session.add(question)
    await session.flush()


async def forget_post(session: AsyncSession, *, question_id: int) -> None:
    """The question's post was deleted: nothing is left to delete later (forget-me)."""
    question = await session.get(OpenQuestion, question_id)
    if question is not None:
        question.post_channel_id = question.post_message_id = DELETED
        session.add(question)


async def credit(session: AsyncSession, *, question_id: int, person_id: int) -> None:
    """Note that ``person_id`` answered the question, as its asker said."""
    session.add(QuestionCredit(question_id=question_id, person_id=person_id))
    await session.flush()


async def credited_count(session: AsyncSession, *, tenant_id: int) -> int:
    """How many answered questions their askers credited to someone who answered."""
    found = await session.exec(
        select(func.count())
        .select_from(QuestionCredit)
        .join(OpenQuestion, col(OpenQuestion.id) == col(QuestionCredit.question_id))
        .where(col(OpenQuestion.tenant_id) == tenant_id, col(OpenQuestion.status) == ANSWERED)
    )
    return int(found.one())


async def answered_count(session: AsyncSession, *, tenant_id: int) -> int:
    """How many of the workspace's posted questions their askers marked answered."""
    found = await session.exec(
        select(func.count())
        .select_from(OpenQuestion)
        .where(col(OpenQuestion.tenant_id) == tenant_id, col(OpenQuestion.status) == ANSWERED)
    )
    return int(found.one())


@dataclass(frozen=True)
class Lost:
    """An open question closed because its post is gone, for telling its asker."""

    question_id: int
    user_id: str
    text: str
    channel_name: str
    # Whether to tell them: not once they left the workspace.
    tell: bool = True


async def is_post(
    session: AsyncSession, *, tenant_id: int, channel_id: str, message_id: str
) -> bool:
    """Whether that message is a question's post: a read, since most deletions are not."""
    found = await session.exec(
        select(OpenQuestion.id).where(
            col(OpenQuestion.tenant_id) == tenant_id,
            col(OpenQuestion.post_channel_id) == channel_id,
            col(OpenQuestion.post_message_id) == message_id,
        )
    )
    return found.first() is not None


async def any_posted_in(session: AsyncSession, *, channel_pk: int, still_open: bool) -> bool:
    """Whether any question (``still_open``: any open one) was posted in that channel."""
    query = select(OpenQuestion.id).where(col(OpenQuestion.channel_pk) == channel_pk)
    if still_open:
        query = query.where(col(OpenQuestion.status) == OPEN)
    return (await session.exec(query.limit(1))).first() is not None


async def lose_post(
    session: AsyncSession, *, tenant_id: int, channel_id: str, message_id: str, now: datetime
) -> list[Lost]:
    """The post ``message_id`` in ``channel_id`` was deleted on the platform: the open question
    it carried is closed as lost (nobody can answer it there), and returned so its asker can be
    told. Its ids stay: what the platform made of the post may outlive it (a Discord thread
    titled with the asker's name and question), and forget-me's delete of a post that is gone
    still removes that. Nothing when it was no question's post, or when the bot deleted it
    itself (a withdrawal or forget-me changed the row first)."""
    rows = await session.exec(
        select(OpenQuestion, Person, Channel.name)
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(
            col(OpenQuestion.tenant_id) == tenant_id,
            col(OpenQuestion.post_channel_id) == channel_id,
            col(OpenQuestion.post_message_id) == message_id,
        )
        .with_for_update(of=OpenQuestion)
    )
    return await _lost(session, list(rows.all()), now=now, post_gone=False)


async def lose_channel(
    session: AsyncSession, *, channel_pk: int, now: datetime, deleted: bool
) -> list[Lost]:
    """The channel the questions were posted in was archived, or ``deleted``: its open
    questions can't be answered there any more and are closed as lost (returned, to tell their
    askers). Deleted, its posts went with it, so no post id is kept; archived, the posts
    are still there (and name their askers), so forget-me still tries to delete them."""
    rows = await session.exec(
        select(OpenQuestion, Person, Channel.name)
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(col(OpenQuestion.channel_pk) == channel_pk)
        .where(
            or_(col(OpenQuestion.status) == OPEN, col(OpenQuestion.post_message_id) != DELETED)
            if deleted
            else col(OpenQuestion.status) == OPEN
        )
        .with_for_update(of=OpenQuestion)
    )
    return await _lost(session, list(rows.all()), now=now, post_gone=deleted)


async def _lost(
    session: AsyncSession,
    rows: list[tuple[OpenQuestion, Person, str]],
    *,
    now: datetime,
    post_gone: bool,
) -> list[Lost]:
    lost: list[Lost] = []
    for question, person, channel_name in rows:
        assert question.id is not None
        if question.status == OPEN:
            question.status, question.closed_at = LOST, now
            tell = person.departed_at is None
            lost.append(Lost(question.id, person.user_id, question.text, channel_name, tell))
        if post_gone:
            question.post_channel_id = question.post_message_id = DELETED
        session.add(question)
    await session.flush()
    return lost


async def withdraw_open(
    session: AsyncSession, *, person_id: int, now: datetime
) -> list[tuple[OpenQuestion, str]]:
    """Close every open question of this person as withdrawn (their asker left): returned with
    their channel's name, so their posts can say so."""
    rows = await session.exec(
        select(OpenQuestion, Channel.name)
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(col(OpenQuestion.person_id) == person_id, col(OpenQuestion.status) == OPEN)
        .order_by(col(OpenQuestion.asked_at), col(OpenQuestion.id))
        .with_for_update(of=OpenQuestion)
    )
    closed = list(rows.all())
    for question, _ in closed:
        await close(session, question, status=WITHDRAWN, now=now)
    return [(question, name) for question, name in closed]
