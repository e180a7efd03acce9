"""The reads and claims of the kind follow-up on open questions (``features.question_nudges``).

Each DM is claimed in the database before it is sent (the first by inserting its
``question_nudge`` row, the second by moving that row from one nudge to two), so several
replicas waking at once send it once. The wake-up's "anything due?" is a read only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import conflict_insert
from .question_tables import OPEN, OpenQuestion, QuestionNudge
from .tables import Channel, Person, Tenant

LEFT = "left"


@dataclass(frozen=True)
class Due:
    question: OpenQuestion
    asker: Person
    tenant: Tenant
    channel_name: str
    # The nudge this would be: 1 (first) or 2 (after the asker said "still open").
    nudge: int


def _asker_reachable(now: datetime) -> ColumnElement[bool]:
    """Only askers still here, not paused and who haven't left narrate-bot are asked. Asking
    needs no joining, so someone who never joined is asked about the question they posted;
    someone who left asked the bot to stop, and isn't."""
    return and_(
        col(Person.consent) != LEFT,
        col(Person.departed_at).is_(None),
        or_(col(Person.paused_until).is_(None), col(Person.paused_until) <= now),
    )


def _never_nudged() -> ColumnElement[bool]:
    return ~exists().where(col(QuestionNudge.question_id) == col(OpenQuestion.id))


async def next_due_at(
    session: AsyncSession,
    *,
    platforms: list[str],
    wait: timedelta,
    after: datetime | None,
    until: datetime,
) -> datetime | None:
    """The earliest nudge due in ``(after, until]`` (with ``after`` ``None``, also overdue).

    A nudge is due ``wait`` after its question was asked (or said to be still open), or when
    its asker's pause ends if that is later. The rows read are the due ones not yet claimed:
    none once each wake-up has claimed what fell due, so an idle wake-up reads an empty set."""
    first = (
        select(OpenQuestion.asked_at, Person.paused_until)
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .where(
            col(OpenQuestion.status) == OPEN,
            col(OpenQuestion.asked_at) <= until - wait,
            col(Tenant.platform).in_(platforms),
            _asker_reachable(until),
            _never_nudged(),
        )
    )
    second = (
        select(QuestionNudge.still_open_at, Person.paused_until)
        .join(OpenQuestion, col(OpenQuestion.id) == col(QuestionNudge.question_id))
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .where(
            col(QuestionNudge.nudges) == 1,
            col(QuestionNudge.still_open_at).is_not(None),
            col(QuestionNudge.still_open_at) <= until - wait,
            col(OpenQuestion.status) == OPEN,
            col(Tenant.platform).in_(platforms),
            _asker_reachable(until),
        )
    )
    found: list[datetime] = []
    for query in (first, second):
        for since, paused_until in (await session.exec(query)).all():
            assert since is not None
            when = _aware(since) + wait
            if paused_until is not None:
                when = max(when, _aware(paused_until))
            if after is None or when > after:
                found.append(when)
    return min(found) if found else None


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


async def due(
    session: AsyncSession, *, platforms: list[str], wait: timedelta, now: datetime, limit: int
) -> list[Due]:
    """Up to ``limit`` nudges due at ``now``, the longest waiting first."""
    base = (
        select(OpenQuestion, Person, Tenant, Channel.name)
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(
            col(OpenQuestion.status) == OPEN,
            col(Tenant.platform).in_(platforms),
            _asker_reachable(now),
        )
    )
    firsts = await session.exec(
        base.where(col(OpenQuestion.asked_at) <= now - wait, _never_nudged())
        .order_by(col(OpenQuestion.asked_at), col(OpenQuestion.id))
        .limit(limit)
    )
    found = [Due(q, p, t, name, 1) for q, p, t, name in firsts.all()]
    seconds = await session.exec(
        base.join(QuestionNudge, col(QuestionNudge.question_id) == col(OpenQuestion.id))
        .where(
            col(QuestionNudge.nudges) == 1,
            col(QuestionNudge.still_open_at).is_not(None),
            col(QuestionNudge.still_open_at) <= now - wait,
        )
        .order_by(col(QuestionNudge.still_open_at), col(OpenQuestion.id))
        .limit(limit)
    )
    found += [Due(q, p, t, name, 2) for q, p, t, name in seconds.all()]
    return found[:limit]


async def claim(
    session: AsyncSession, *, question_id: int, nudge: int, wait: timedelta, now: datetime
) -> bool:
    """Claim this nudge, in the caller's transaction: ``False`` when another replica has it,
    or the question was closed meanwhile (its row locked first on PostgreSQL, so a close
    running now waits for this claim or is seen)."""
    still = await session.exec(
        select(OpenQuestion.id)
        .where(col(OpenQuestion.id) == question_id, col(OpenQuestion.status) == OPEN)
        .with_for_update()
    )
    if still.first() is None:
        return False
    if nudge == 1:
        result = await session.exec(
            conflict_insert(session, QuestionNudge)
            .values(question_id=question_id, nudges=1, nudged_at=now)
            .on_conflict_do_nothing(index_elements=["question_id"])
            .returning(col(QuestionNudge.question_id))
        )
    else:
        result = await session.exec(
            update(QuestionNudge)
            .where(
                col(QuestionNudge.question_id) == question_id,
                col(QuestionNudge.nudges) == 1,
                col(QuestionNudge.still_open_at).is_not(None),
                col(QuestionNudge.still_open_at) <= now - wait,
            )
            .values(nudges=2, nudged_at=now)
            .returning(col(QuestionNudge.question_id))
        )
    # What the statement wrote, not ``rowcount`` (asyncpg's is -1 for a skipped insert).
    return result.first() is not None


async def open_of(
    session: AsyncSession, *, person_id: int, question_id: int
) -> tuple[OpenQuestion, str] | None:
    """This person's question ``question_id`` if it is still open, with its channel's name
    (another's question, or a closed one: ``None``)."""
    found = await session.exec(
        select(OpenQuestion, Channel.name)
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(
            col(OpenQuestion.id) == question_id,
            col(OpenQuestion.person_id) == person_id,
            col(OpenQuestion.status) == OPEN,
        )
        .with_for_update(of=OpenQuestion)
    )
    row = found.first()
    return (row[0], row[1]) if row is not None else None


async def still_open(session: AsyncSession, *, question_id: int, now: datetime) -> int:
    """The asker said the question is still open: the second nudge waits from now. Returns
    how many nudges were sent (2: none is left to send)."""
    nudge = await session.get(QuestionNudge, question_id, with_for_update=True)
    if nudge is None:
        await session.exec(
            conflict_insert(session, QuestionNudge)
            .values(question_id=question_id, nudges=1, nudged_at=now, still_open_at=now)
            .on_conflict_do_nothing(index_elements=["question_id"])
        )
        return 1
    if nudge.nudges == 1:
        nudge.still_open_at = now
        session.add(nudge)
        await session.flush()
    return nudge.nudges


async def state_of(session: AsyncSession, *, question_ids: list[int]) -> dict[int, QuestionNudge]:
    """The nudges of these questions, for the export."""
    if not question_ids:
        return {}
    rows = await session.exec(
        select(QuestionNudge).where(col(QuestionNudge.question_id).in_(question_ids))
    )
    return {row.question_id: row for row in rows.all()}
