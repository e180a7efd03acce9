"""The reads and claims of the kind follow-up on open questions (``features.question_nudges``).

Each DM is claimed in the database before it is sent (the first by inserting its
``question_nudge`` row, the second by moving that row from one nudge to two), so several
replicas waking at once send it once. The wake-up's "anything due?" is a read only.

Two limits keep the follow-up kind when many questions fall due at once, as on the first
wake-up after upgrading to the version that added it, when every old open question was due:

- At most one DM per asker a week (``ASKER_GAP``): someone with five open questions is asked
  about the oldest due one, the next a week later, not five DMs in a minute. The claim checks
  it with the asker's row locked, so two replicas claiming two of one asker's questions send
  one DM.
- A question asked more than ``TOO_OLD`` times the wait ago and never asked about is not asked
  about at all: it predates the follow-up, or its asker was away (paused) or queued behind
  their other questions for weeks. A DM about a months-old question surprises more than it
  helps; its asker can still close it themselves. The second DM ("still open") has no such
  limit: the asker asked for it.

A DM the platform answered and took nothing of (``ports.NotPosted``) is due again at its
``retry_at`` (``retry_later``), outside the asker's week: it is the same DM, not another one.
For that reason a first DM's retry keeps the first DM's ``TOO_OLD`` cut-off: held by a pause
past it, it is never sent (``_within_cut_off``), and its ``retry_at`` is cleared at the
cut-off (``drop_retries_past_cut_off``): nothing reads it as due any more. Its retry is
claimed by clearing ``retry_at`` (``claim_retry``), so replicas send it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import conflict_insert
from .question_tables import OPEN, OpenQuestion, QuestionNudge
from .tables import Channel, Person, Tenant

LEFT = "left"
# At most one follow-up DM per asker in this while (see the module's docstring).
ASKER_GAP = timedelta(days=7)
# A question never asked about, asked more than this many waits ago, is not asked about.
TOO_OLD = 3

_Asked = aliased(OpenQuestion)


@dataclass(frozen=True)
class Due:
    question: OpenQuestion
    asker: Person
    tenant: Tenant
    channel_name: str
    # The nudge this would be: 1 (first) or 2 (after the asker said "still open").
    nudge: int
    # When the asker said "still open" (second nudges only).
    still_open_at: datetime | None = None
    # A retry of a claimed DM the platform took nothing of (its ``retry_at``), and the
    # failed tries so far: the wait before the next one.
    retry_at: datetime | None = None
    attempts: int = 0


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


def _asker_nudged_since(when: datetime) -> ColumnElement[bool]:
    """The asker (``Person``) got a follow-up DM, about any of their questions, after ``when``."""
    return (
        exists()
        .where(
            col(QuestionNudge.question_id) == col(_Asked.id),
            col(_Asked.person_id) == col(Person.id),
            col(QuestionNudge.nudged_at) > when,
        )
        .correlate_except(QuestionNudge, _Asked)
    )


def _asker_last_nudged() -> ColumnElement[datetime]:
    """When the asker (``Person``) last got a follow-up DM, about any of their questions."""
    return (
        select(func.max(QuestionNudge.nudged_at))
        .join(_Asked, col(_Asked.id) == col(QuestionNudge.question_id))
        .where(col(_Asked.person_id) == col(Person.id))
        .correlate(Person)
        .scalar_subquery()
    )


async def next_due_at(
    session: AsyncSession,
    *,
    platforms: list[str],
    wait: timedelta,
    after: datetime | None,
    until: datetime,
    grace: timedelta = timedelta(0),
) -> datetime | None:
    """The earliest nudge due in ``(after, until]`` (with ``after`` ``None``, also overdue).

    A nudge is due ``wait`` after its question was asked (or said to be still open), or when
    its asker's pause ends, or ``ASKER_GAP`` after their last follow-up DM, whichever is
    latest; a first one only while its question is not ``TOO_OLD``. The rows read are the
    nudges not yet claimed (those waiting for their asker's next week too, and no question
    older than ``TOO_OLD`` waits): a read only, so an idle wake-up writes nothing."""
    # The first moment this call looks at: with no ``after``, the wake-up's own (``until``).
    since_ref = after if after is not None else until
    first = (
        select(OpenQuestion.asked_at, Person.paused_until, _asker_last_nudged())
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .where(
            col(OpenQuestion.status) == OPEN,
            col(OpenQuestion.asked_at) <= until - wait,
            col(OpenQuestion.asked_at) >= since_ref - wait * TOO_OLD,
            col(Tenant.platform).in_(platforms),
            _asker_reachable(until),
            _never_nudged(),
        )
    )
    second = (
        select(QuestionNudge.still_open_at, Person.paused_until, _asker_last_nudged())
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
    retries = (
        select(QuestionNudge.retry_at, QuestionNudge.nudges, OpenQuestion.asked_at, Person)
        .join(OpenQuestion, col(OpenQuestion.id) == col(QuestionNudge.question_id))
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .where(
            col(QuestionNudge.retry_at).is_not(None),
            or_(
                col(QuestionNudge.retry_at) <= until,
                and_(
                    col(QuestionNudge.nudges) == 1,
                    col(OpenQuestion.asked_at) <= until - wait * TOO_OLD,
                ),
            ),
            col(OpenQuestion.status) == OPEN,
            col(Tenant.platform).in_(platforms),
        )
    )
    found: list[datetime] = []
    # A retry is the same DM: not held back by the asker's week; a first DM's, like the DM
    # itself, not sent once its question is too old (a pause may have held it that long), and
    # due at the cut-off then, to be dropped (``drop_retries_past_cut_off``), whoever asked;
    # one due by the cut-off is sent until ``grace`` after it, and dropped only then.
    for retry_at, nudges, asked_at, asker in (await session.exec(retries)).all():
        assert retry_at is not None
        when = _due_time(retry_at, asker.paused_until)
        here = asker.consent != LEFT and asker.departed_at is None
        cut = _aware(asked_at) + wait * TOO_OLD
        times = [when] if here and (nudges != 1 or when <= cut) else []
        if nudges == 1:
            times.append(cut + grace if when <= cut else cut)
        found.extend(t for t in times if t <= until and (after is None or t > after))
    for query, first_nudge in ((first, True), (second, False)):
        for since, paused_until, last in (await session.exec(query)).all():
            assert since is not None
            when = _aware(since) + wait
            if paused_until is not None:
                when = max(when, _aware(paused_until))
            if last is not None:
                when = max(when, _aware(last) + ASKER_GAP)
            if first_nudge and when > _aware(since) + wait * TOO_OLD:
                continue  # by the time its asker may be asked again, it is too old
            if when <= until and (after is None or when > after):
                found.append(when)
    return min(found) if found else None


def _within_cut_off(
    now: datetime, wait: timedelta, grace: timedelta = timedelta(0)
) -> ColumnElement[bool]:
    """A retry of a first DM (``nudges`` 1) only while its question is not ``TOO_OLD`` at
    ``now``: the retry is the same DM, and the bot stopped following the question then. A
    paused asker's retry waits for their return, which may be weeks past that; they would get
    a DM about a question the bot no longer asks about. A second DM's has no cut-off, as the
    second DM hasn't (its asker asked for it). Up to ``grace`` past it for a retry due by it
    (``_in_time``)."""
    return or_(
        col(QuestionNudge.nudges) != 1,
        col(OpenQuestion.asked_at) >= now - wait * TOO_OLD - grace,
    )


def _due_time(retry_at: datetime, paused_until: datetime | None) -> datetime:
    """When a retry is due: its ``retry_at``, or its asker's return from a pause after it."""
    when = _aware(retry_at)
    return when if paused_until is None else max(when, _aware(paused_until))


def _in_time(
    asked_at: datetime, due_at: datetime, *, wait: timedelta, grace: timedelta, now: datetime
) -> bool:
    """Whether a first DM's retry due at ``due_at`` may still be sent at ``now``: it was due by
    its question's cut-off, and ``now`` is at most ``grace`` past the cut-off (a wake-up comes
    up to a tick after the due time it was told; a replica past the cut-off must not drop a
    retry another is about to claim)."""
    cut = _aware(asked_at) + wait * TOO_OLD
    return due_at <= cut and now <= cut + grace


async def _past_cut_off(
    session: AsyncSession, *, wait: timedelta, grace: timedelta, now: datetime
) -> list[int]:
    """First DMs' retries never to be sent: due after their question's cut-off (held by a
    pause), once the cut-off is reached; due by it, once ``grace`` after it is reached (the
    wake-up then sends what it may first). A read (the partial index on ``retry_at``)."""
    rows = await session.exec(
        select(
            QuestionNudge.question_id,
            QuestionNudge.retry_at,
            OpenQuestion.asked_at,
            Person.paused_until,
        )
        .join(OpenQuestion, col(OpenQuestion.id) == col(QuestionNudge.question_id))
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .where(
            col(QuestionNudge.retry_at).is_not(None),
            col(QuestionNudge.nudges) == 1,
            col(OpenQuestion.asked_at) <= now - wait * TOO_OLD,
        )
    )
    found: list[int] = []
    for question_id, retry_at, asked_at, paused_until in rows.all():
        assert retry_at is not None
        cut = _aware(asked_at) + wait * TOO_OLD
        if _due_time(retry_at, paused_until) > cut or now >= cut + grace:
            found.append(question_id)
    return found


async def any_retry_past_cut_off(
    session: AsyncSession, *, wait: timedelta, now: datetime, grace: timedelta = timedelta(0)
) -> bool:
    """Whether ``drop_retries_past_cut_off`` has anything to drop: a read, so that a wake-up
    with none writes nothing."""
    return bool(await _past_cut_off(session, wait=wait, grace=grace, now=now))


async def drop_retries_past_cut_off(
    session: AsyncSession, *, wait: timedelta, now: datetime, grace: timedelta = timedelta(0)
) -> None:
    """Clear the ``retry_at`` of first DMs' retries past their question's cut-off, so that
    nothing reads them as still due (the export's ``next_try_at`` said a try would come)."""
    ids = await _past_cut_off(session, wait=wait, grace=grace, now=now)
    if ids:
        await session.exec(
            update(QuestionNudge)
            .where(col(QuestionNudge.question_id).in_(ids), col(QuestionNudge.nudges) == 1)
            .values(retry_at=None)
        )


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


async def due(
    session: AsyncSession,
    *,
    platforms: list[str],
    wait: timedelta,
    now: datetime,
    limit: int,
    grace: timedelta = timedelta(0),
) -> list[Due]:
    """Up to ``limit`` nudges due at ``now``, one per asker (their longest waiting), the
    longest waiting first. Askers DMed in the last ``ASKER_GAP`` are left for later, except
    for the retries of DMs the platform took nothing of (first: each is a DM already late)."""
    retrying = await session.exec(
        select(OpenQuestion, Person, Tenant, Channel.name)
        .join(QuestionNudge, col(QuestionNudge.question_id) == col(OpenQuestion.id))
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(
            col(QuestionNudge.retry_at).is_not(None),
            col(QuestionNudge.retry_at) <= now,
            _within_cut_off(now, wait, grace),
            col(OpenQuestion.status) == OPEN,
            col(Tenant.platform).in_(platforms),
            _asker_reachable(now),
        )
        .order_by(col(QuestionNudge.retry_at), col(OpenQuestion.id))
    )
    retries = retrying.all()
    rows = await state_of(session, question_ids=[q.id for q, *_ in retries if q.id is not None])
    picked: list[Due] = []
    askers: set[int | None] = set()
    for q, p, t, name in retries:
        assert q.id is not None
        row = rows[q.id]
        # A first DM's: only while due by its question's cut-off (``_in_time``).
        if row.nudges == 1 and (
            row.retry_at is None
            or not _in_time(
                q.asked_at, _due_time(row.retry_at, p.paused_until), wait=wait, grace=grace, now=now
            )
        ):
            continue
        askers.add(p.id)
        picked.append(Due(q, p, t, name, row.nudges, row.still_open_at, row.retry_at, row.attempts))
    base = (
        select(OpenQuestion, Person, Tenant, Channel.name)
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .join(Tenant, col(Tenant.id) == col(OpenQuestion.tenant_id))
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .where(
            col(OpenQuestion.status) == OPEN,
            col(Tenant.platform).in_(platforms),
            _asker_reachable(now),
            ~_asker_nudged_since(now - ASKER_GAP),
        )
    )
    # Not limited in SQL: one asker's many due questions must not fill the batch (one per
    # asker is sent); the due rows are those of the last ``TOO_OLD`` waits only.
    firsts = await session.exec(
        base.where(
            col(OpenQuestion.asked_at) <= now - wait,
            col(OpenQuestion.asked_at) >= now - wait * TOO_OLD,
            _never_nudged(),
        ).order_by(col(OpenQuestion.asked_at), col(OpenQuestion.id))
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
    )
    again = seconds.all()
    nudges = await state_of(session, question_ids=[q.id for q, *_ in again if q.id is not None])
    for q, p, t, name in again:
        assert q.id is not None
        found.append(Due(q, p, t, name, 2, nudges[q.id].still_open_at))
    found.sort(key=_waiting_since)
    for item in found:
        if item.asker.id not in askers:
            askers.add(item.asker.id)
            picked.append(item)
    return picked[:limit]


def _waiting_since(item: Due) -> tuple[datetime, int]:
    """Since when this nudge was waiting to be sent (the question's asking, or its "still
    open"), to send each asker's longest waiting first."""
    question = item.question
    since = question.asked_at if item.nudge == 1 else item.still_open_at
    assert since is not None and question.id is not None
    return _aware(since), question.id


async def claim(
    session: AsyncSession, *, question_id: int, nudge: int, wait: timedelta, now: datetime
) -> bool:
    """Claim this nudge, in the caller's transaction: ``False`` when another replica has it,
    the question was closed meanwhile (its row locked first on PostgreSQL, so a close
    running now waits for this claim or is seen), or its asker got a follow-up DM in the last
    ``ASKER_GAP`` (their row locked, so two replicas claiming two of their questions at once
    send one; SQLite's write lock does the same)."""
    still = await session.exec(
        select(OpenQuestion.person_id)
        .where(col(OpenQuestion.id) == question_id, col(OpenQuestion.status) == OPEN)
        .with_for_update()
    )
    person_id = still.first()
    if person_id is None:
        return False
    await session.exec(select(Person.id).where(col(Person.id) == person_id).with_for_update())
    recent = await session.exec(
        select(QuestionNudge.question_id)
        .join(_Asked, col(_Asked.id) == col(QuestionNudge.question_id))
        .where(col(_Asked.person_id) == person_id, col(QuestionNudge.nudged_at) > now - ASKER_GAP)
        .limit(1)
    )
    if recent.first() is not None:
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
            .values(nudges=2, nudged_at=now, attempts=0, retry_at=None)
            .returning(col(QuestionNudge.question_id))
        )
    # What the statement wrote, not ``rowcount`` (asyncpg's is -1 for a skipped insert).
    return result.first() is not None


async def claim_retry(session: AsyncSession, *, question_id: int, now: datetime) -> bool:
    """Claim the retry of this question's DM, in the caller's transaction, by clearing its
    ``retry_at``: ``False`` when another replica has it or the question was closed meanwhile
    (its row locked first on PostgreSQL, as ``claim`` does). Not held back by the asker's
    week: it is the DM that week's claim was for."""
    still = await session.exec(
        select(OpenQuestion.id)
        .where(col(OpenQuestion.id) == question_id, col(OpenQuestion.status) == OPEN)
        .with_for_update()
    )
    if still.first() is None:
        return False
    result = await session.exec(
        update(QuestionNudge)
        .where(
            col(QuestionNudge.question_id) == question_id,
            col(QuestionNudge.retry_at).is_not(None),
            col(QuestionNudge.retry_at) <= now,
        )
        .values(retry_at=None, nudged_at=now)
        .returning(col(QuestionNudge.question_id))
    )
    return result.first() is not None


async def retry_later(session: AsyncSession, *, question_id: int, nudge: int, at: datetime) -> None:
    """The platform took nothing of this claimed DM: it is due again ``at``, one more failed
    try counted."""
    await session.exec(
        update(QuestionNudge)
        .where(col(QuestionNudge.question_id) == question_id, col(QuestionNudge.nudges) == nudge)
        .values(retry_at=at, attempts=col(QuestionNudge.attempts) + 1)
    )


async def is_open(session: AsyncSession, *, question_id: int) -> bool:
    """Whether the question is still open (its asker may have been found gone meanwhile)."""
    found = await session.exec(
        select(OpenQuestion.id).where(
            col(OpenQuestion.id) == question_id, col(OpenQuestion.status) == OPEN
        )
    )
    return found.first() is not None


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
        nudge.retry_at = None  # answered already: the DM asking would come late
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
