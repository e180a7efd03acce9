"""Data access for scheduled work: schedules, the claim/outbox rows, skip dates (docs/adr/0007).

The claim is a batched ``INSERT … ON CONFLICT DO NOTHING`` under
``UNIQUE(schedule_id, slot, part)``: whatever another process (or an earlier run) already claimed
is silently left alone. Pending rows are taken with a lease (``UPDATE … RETURNING``; on
PostgreSQL the candidates are picked ``FOR UPDATE SKIP LOCKED``), so a process killed mid-send
leaves rows another process may finish once the lease runs out. The owner renews its lease
right before posting (``hold``), and outcomes are recorded only by the owner of a pending row.

A removed channel schedule stays as a row marked ``removed_at`` (``delete_schedules``): every
query here leaves it out, except the ones answering a prompt it already posted.

People name a channel schedule by its ``number`` within their workspace (``add_schedule`` gives
it, ``get_schedule`` finds it); ``id`` is internal and counts every workspace's schedules.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .numbering import insert_numbered
from .schedule_tables import (
    NUMBERED,
    PERSONAL,
    PROMPT,
    REPLY,
    Schedule,
    ScheduleSend,
    ScheduleSkip,
)
from .tables import Channel, Narration, Person, Tenant

PENDING, SENT, SKIPPED, FAILED = "pending", "sent", "skipped", "failed"


@dataclass
class DueSchedule:
    """What planning a claim needs: the schedule, and the person's current zone if personal."""

    schedule: Schedule
    person_zone: str | None


@dataclass
class Leased:
    send: ScheduleSend
    schedule: Schedule
    tenant: Tenant
    channel: Channel | None
    person: Person | None


# ------------------------------------------------------------------------------------ schedules

LIVE = col(Schedule.removed_at).is_(None)


async def add_schedule(session: AsyncSession, schedule: Schedule) -> Schedule:
    """Store a schedule, returned; a channel prompt or digest gets its tenant's next number
    (``schedule_tables.next_number``, as it is inserted; ``numbering`` for the race).

    Removed schedules keep their rows and numbers, so a number is never given twice within a
    tenant and an old prompt's button keeps meaning its prompt."""
    if schedule.kind not in NUMBERED or schedule.number is not None:
        session.add(schedule)
        await session.flush()
        return schedule
    fields = schedule.model_dump(exclude={"id", "number"})

    async def build() -> Schedule:
        return Schedule(**fields)

    return await insert_numbered(session, build)


async def schedules_of(
    session: AsyncSession,
    *,
    tenant_id: int,
    kinds: Sequence[str],
    channel_pk: int | None = None,
    person_id: int | None = None,
) -> list[tuple[Schedule, Channel | None]]:
    query = (
        select(Schedule, Channel)
        .join(Channel, col(Channel.id) == col(Schedule.channel_pk), isouter=True)
        .where(Schedule.tenant_id == tenant_id, col(Schedule.kind).in_(list(kinds)), LIVE)
    )
    if channel_pk is not None:
        query = query.where(Schedule.channel_pk == channel_pk)
    if person_id is not None:
        query = query.where(Schedule.person_id == person_id)
    rows = await session.exec(query.order_by(col(Schedule.id)))
    return list(rows.all())


async def get_schedule(
    session: AsyncSession,
    *,
    tenant_id: int,
    number: int | None = None,
    schedule_id: int | None = None,
    removed_too: bool = False,
) -> tuple[Schedule, Channel | None] | None:
    """The tenant's schedule by ``number``, the one people see and type (``#3``,
    ``/narrate reply 3``), or by its internal ``schedule_id`` (never one a person gave: ids
    count every workspace's schedules); never another tenant's. A removed one only with
    ``removed_too`` (a prompt it already posted is still answered)."""
    assert (number is None) != (schedule_id is None), "a number or an id"
    query = (
        select(Schedule, Channel)
        .join(Channel, col(Channel.id) == col(Schedule.channel_pk), isouter=True)
        .where(
            Schedule.tenant_id == tenant_id,
            Schedule.number == number if number is not None else Schedule.id == schedule_id,
        )
    )
    row = (await session.exec(query if removed_too else query.where(LIVE))).first()
    return None if row is None else (row[0], row[1])


async def was_posted(session: AsyncSession, *, schedule_id: int) -> bool:
    """Whether a prompt of this schedule is in its channel (a thread and a button to answer)."""
    found = await session.exec(
        select(ScheduleSend.id).where(
            ScheduleSend.schedule_id == schedule_id,
            ScheduleSend.part == "main",
            ScheduleSend.status == SENT,
        )
    )
    return found.first() is not None


async def delete_schedules(
    session: AsyncSession, *, ids: Iterable[int], now: datetime | None = None
) -> None:
    """Stop schedules: nothing of theirs is posted any more (their unsent sends go).

    A channel schedule's row stays, marked removed, with the sends it already posted: its id is
    never given again (SQLite would reuse the highest freed one, and an old prompt's button
    would answer another channel's), and replies to a prompt already in the channel are still
    kept. A personal reminder's row goes: its id is never shown, and nothing answers it by id.
    ``now`` only dates the removal (the wall clock when the caller has none).
    """
    wanted = list(ids)
    if not wanted:
        return
    # Explicit, so SQLite without foreign-key cascades would not keep orphaned sends either.
    await session.exec(
        delete(ScheduleSend).where(
            col(ScheduleSend.schedule_id).in_(wanted), col(ScheduleSend.status) == PENDING
        )
    )
    personal = select(Schedule.id).where(
        col(Schedule.id).in_(wanted), col(Schedule.channel_pk).is_(None)
    )
    await session.exec(delete(ScheduleSend).where(col(ScheduleSend.schedule_id).in_(personal)))
    await session.exec(
        delete(Schedule).where(col(Schedule.id).in_(wanted), col(Schedule.channel_pk).is_(None))
    )
    await session.exec(
        update(Schedule)
        .where(col(Schedule.id).in_(wanted), LIVE)
        .values(removed_at=now if now is not None else datetime.now(UTC))
    )


async def tenants_without(session: AsyncSession, *, kind: str) -> list[Tenant]:
    has = select(Schedule.tenant_id).where(Schedule.kind == kind, LIVE)
    rows = await session.exec(select(Tenant).where(col(Tenant.id).not_in(has)))
    return list(rows.all())


async def due_schedules(
    session: AsyncSession, *, now: datetime, dialect: str, limit: int
) -> list[DueSchedule]:
    query = (
        select(Schedule, Person.timezone)
        .join(Person, col(Person.id) == col(Schedule.person_id), isouter=True)
        .where(col(Schedule.next_fire_at) <= now, LIVE)
        .order_by(col(Schedule.id))
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Schedule)
    rows = await session.exec(query)
    return [DueSchedule(s, z) for s, z in rows.all()]


async def set_next_fire(session: AsyncSession, *, updates: Sequence[tuple[int, datetime]]) -> None:
    """One executemany (ORM bulk update by primary key), in id order so locks never cross."""
    if updates:
        table = Schedule.__table__  # type: ignore[attr-defined]
        connection = await session.connection()
        await connection.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(next_fire_at=bindparam("b_next")),
            [{"b_id": schedule_id, "b_next": when} for schedule_id, when in sorted(updates)],
        )


async def skip_days(
    session: AsyncSession, *, channel_pks: Iterable[int]
) -> dict[int, list[tuple[str, str]]]:
    wanted = list(set(channel_pks))
    result: dict[int, list[tuple[str, str]]] = {pk: [] for pk in wanted}
    if wanted:
        rows = await session.exec(
            select(ScheduleSkip).where(col(ScheduleSkip.channel_pk).in_(wanted))
        )
        for row in rows:
            result[row.channel_pk].append((row.first_day, row.last_day))
    return result


async def add_skip(
    session: AsyncSession, *, channel_pk: int, first_day: str, last_day: str
) -> None:
    session.add(ScheduleSkip(channel_pk=channel_pk, first_day=first_day, last_day=last_day))


async def skips_of(session: AsyncSession, *, channel_pk: int, from_day: str) -> list[ScheduleSkip]:
    rows = await session.exec(
        select(ScheduleSkip)
        .where(ScheduleSkip.channel_pk == channel_pk, col(ScheduleSkip.last_day) >= from_day)
        .order_by(col(ScheduleSkip.first_day))
    )
    return list(rows.all())


# ----------------------------------------------------------------------------- claims (outbox)


def pending_row(
    *,
    schedule_id: int,
    tenant_id: int,
    person_id: int | None,
    slot: str,
    part: str,
    due_at: datetime,
    now: datetime,
    thread_part: str | None = None,
    payload: str | None = None,
) -> dict[str, Any]:
    """A send waiting for its time, as ``claim`` inserts it: every column spelled out, so a
    scheduled post and a kept reply can never differ in what a new send starts with."""
    return {
        "schedule_id": schedule_id,
        "tenant_id": tenant_id,
        "person_id": person_id,
        "slot": slot,
        "part": part,
        "status": PENDING,
        "due_at": due_at,
        "thread_part": thread_part,
        "payload": payload,
        "lease_owner": None,
        "lease_until": None,
        "attempts": 0,
        "message_id": None,
        "error": None,
        "claimed_at": now,
        "sent_at": None,
    }


async def claim(session: AsyncSession, *, rows: Sequence[dict[str, Any]], dialect: str) -> int:
    """Insert claims; returns how many *this* call created (the others were already claimed).

    One executemany of ``INSERT … ON CONFLICT DO NOTHING`` (SQLAlchemy batches it into
    multi-row statements). No RETURNING: on psycopg it makes the insert several times slower.
    Instead every row of this call carries a fresh token in ``lease_owner`` (not a lease:
    ``lease_until`` stays empty, so any process may deliver it) and the token is counted.
    """
    if not rows:
        return 0
    token = f"claim:{uuid.uuid4().hex}"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ScheduleSend.__table__).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["schedule_id", "slot", "part"]
    )
    connection = await session.connection()
    await connection.execute(statement, [dict(row, lease_owner=token) for row in rows])
    schedule_ids = sorted({row["schedule_id"] for row in rows})
    counted = await session.exec(
        select(func.count())
        .select_from(ScheduleSend)
        .where(
            col(ScheduleSend.schedule_id).in_(schedule_ids),
            col(ScheduleSend.lease_owner) == token,
        )
    )
    return int(counted.one())


async def lease_due(
    session: AsyncSession,
    *,
    now: datetime,
    owner: str,
    lease: timedelta,
    platforms: Sequence[str],
    dialect: str,
    limit: int,
) -> list[int]:
    """Take pending sends that are due and not leased by a live owner; returns their ids."""
    free = or_(col(ScheduleSend.lease_until).is_(None), col(ScheduleSend.lease_until) < now)
    candidates = (
        select(ScheduleSend.id)
        .join(Tenant, col(Tenant.id) == col(ScheduleSend.tenant_id))
        .where(
            col(ScheduleSend.status) == PENDING,
            col(ScheduleSend.due_at) <= now,
            free,
            col(Tenant.platform).in_(list(platforms)),
        )
        .order_by(col(ScheduleSend.due_at), col(ScheduleSend.id))
        .limit(limit)
    )
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=ScheduleSend)
    # Picked first, then updated: as a subquery of the UPDATE, PostgreSQL may rescan the locking
    # pick once per row, each rescan skipping the rows just leased, and lease far past ``limit``.
    picked = [pk for pk in (await session.exec(candidates)).all() if pk is not None]
    if not picked:
        return []
    result = await (await session.connection()).execute(
        update(ScheduleSend)
        .where(col(ScheduleSend.id).in_(picked), col(ScheduleSend.status) == PENDING, free)
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(col(ScheduleSend.id))
    )
    return sorted(row[0] for row in result.all() if row[0] is not None)


async def leased(session: AsyncSession, *, ids: Sequence[int]) -> list[Leased]:
    if not ids:
        return []
    rows = await session.exec(  # type: ignore[call-overload]
        sa_select(ScheduleSend, Schedule, Tenant, Channel, Person)
        .join(Schedule, col(Schedule.id) == col(ScheduleSend.schedule_id))
        .join(Tenant, col(Tenant.id) == col(ScheduleSend.tenant_id))
        .join(Channel, col(Channel.id) == col(Schedule.channel_pk), isouter=True)
        .join(Person, col(Person.id) == col(Schedule.person_id), isouter=True)
        .where(col(ScheduleSend.id).in_(list(ids)))
        .order_by(col(ScheduleSend.due_at), col(ScheduleSend.id))
    )
    return [Leased(*row) for row in rows.all()]


async def hold(
    session: AsyncSession, *, send_id: int, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Renew ``owner``'s lease on a pending send right before posting it: ``False`` when the
    lease ran out or the send is no longer this owner's to post (another process took it over,
    or finished it), and then nothing may be posted."""
    result = await (await session.connection()).execute(
        update(ScheduleSend)
        .where(
            col(ScheduleSend.id) == send_id,
            col(ScheduleSend.lease_owner) == owner,
            col(ScheduleSend.status) == PENDING,
            col(ScheduleSend.lease_until) > now,
        )
        .values(lease_until=now + lease)
    )
    return bool(result.rowcount == 1)


async def finish(
    session: AsyncSession,
    *,
    send_id: int,
    owner: str,
    status: str,
    now: datetime,
    message_id: str | None = None,
    error: str | None = None,
) -> bool:
    """Record a final outcome; the payload is dropped (nothing about people lingers).

    ``False`` when the send was no longer this owner's: another process took it over, and this
    outcome must not overwrite its own."""
    result = await (await session.connection()).execute(
        update(ScheduleSend)
        .where(
            col(ScheduleSend.id) == send_id,
            col(ScheduleSend.lease_owner) == owner,
            col(ScheduleSend.status) == PENDING,
        )
        .values(
            status=status,
            message_id=message_id,
            error=error,
            sent_at=now if status == SENT else None,
            payload=None,
            lease_until=None,
        )
    )
    return bool(result.rowcount == 1)


async def recorded_sent(session: AsyncSession, *, send_id: int, message_id: str) -> bool:
    """Whether the send is already recorded sent as ``message_id``: a retry of the transaction
    recording it finds its first try committed (the error came after the commit)."""
    found = (
        await session.exec(
            select(ScheduleSend.id).where(
                col(ScheduleSend.id) == send_id,
                col(ScheduleSend.status) == SENT,
                col(ScheduleSend.message_id) == message_id,
            )
        )
    ).first()
    return found is not None


async def retry_later(
    session: AsyncSession,
    *,
    send_id: int,
    owner: str,
    due_at: datetime,
    error: str | None,
    failed: bool = True,
) -> bool:
    """Hand the send back for later; ``failed`` counts it as an attempt (waiting doesn't).
    ``False`` when it was no longer this owner's to hand back."""
    result = await (await session.connection()).execute(
        update(ScheduleSend)
        .where(
            col(ScheduleSend.id) == send_id,
            col(ScheduleSend.lease_owner) == owner,
            col(ScheduleSend.status) == PENDING,
        )
        .values(
            due_at=due_at,
            lease_until=None,
            attempts=col(ScheduleSend.attempts) + (1 if failed else 0),
            error=error,
        )
    )
    return bool(result.rowcount == 1)


async def keep_payload(session: AsyncSession, *, send_id: int, owner: str, payload: str) -> bool:
    """Replace a pending send's post (``payload``) with what is still to deliver: its retry,
    by this process or another, sends that. ``False`` when it was no longer this owner's."""
    result = await (await session.connection()).execute(
        update(ScheduleSend)
        .where(
            col(ScheduleSend.id) == send_id,
            col(ScheduleSend.lease_owner) == owner,
            col(ScheduleSend.status) == PENDING,
        )
        .values(payload=payload)
    )
    return bool(result.rowcount == 1)


async def add_posts(session: AsyncSession, *, rows: Sequence[dict[str, Any]], dialect: str) -> None:
    await claim(session, rows=rows, dialect=dialect)


async def sibling(
    session: AsyncSession, *, schedule_id: int, slot: str, part: str
) -> ScheduleSend | None:
    return (
        await session.exec(
            select(ScheduleSend).where(
                ScheduleSend.schedule_id == schedule_id,
                ScheduleSend.slot == slot,
                ScheduleSend.part == part,
            )
        )
    ).first()


async def next_due(
    session: AsyncSession, *, after: datetime | None, until: datetime, platforms: Sequence[str]
) -> datetime | None:
    """The earliest schedule fire or pending send in ``(after, until]``."""
    fire = select(func.min(Schedule.next_fire_at)).where(col(Schedule.next_fire_at) <= until, LIVE)
    send = (
        select(func.min(ScheduleSend.due_at))
        .join(Tenant, col(Tenant.id) == col(ScheduleSend.tenant_id))
        .where(
            col(ScheduleSend.status) == PENDING,
            col(ScheduleSend.due_at) <= until,
            col(Tenant.platform).in_(list(platforms)),
        )
    )
    if after is not None:
        fire = fire.where(col(Schedule.next_fire_at) > after)
        send = send.where(col(ScheduleSend.due_at) > after)
    found = [(await session.exec(fire)).one(), (await session.exec(send)).one()]
    values = [v for v in found if v is not None]
    return min(values) if values else None


async def prompt_for_message(
    session: AsyncSession, *, tenant_id: int, channel_pk: int, message_id: str
) -> ScheduleSend | None:
    """The sent channel prompt whose platform message is ``message_id`` (a thread anchor), its
    schedule removed or not: the prompt is in the channel, inviting replies, either way."""
    return (
        await session.exec(
            select(ScheduleSend)
            .join(Schedule, col(Schedule.id) == col(ScheduleSend.schedule_id))
            .where(
                ScheduleSend.tenant_id == tenant_id,
                ScheduleSend.message_id == message_id,
                Schedule.channel_pk == channel_pk,
                Schedule.kind == PROMPT,
                ScheduleSend.part == "main",
            )
        )
    ).first()


async def unanswered_reminder(session: AsyncSession, *, person_id: int, since: datetime) -> bool:
    """Whether one of the person's own reminders (a DM) was sent to them at or after ``since``,
    and they have narrated nothing since the latest: it still waits for their answer. Its
    sends are read through the unique ``(schedule_id, slot, part)`` index from the day before
    ``since`` (a slot is the fire's local date, at most a day before its UTC instant), their
    narrations through ``ix_narration_person_created``."""
    first_slot = (since - timedelta(days=1)).date().isoformat()
    rows = await session.exec(
        select(func.max(col(ScheduleSend.sent_at)))
        .join(Schedule, col(Schedule.id) == col(ScheduleSend.schedule_id))
        .where(
            col(Schedule.person_id) == person_id,
            col(Schedule.kind) == PERSONAL,
            col(ScheduleSend.slot) >= first_slot,
            col(ScheduleSend.status) == SENT,
            col(ScheduleSend.sent_at) >= since,
        )
    )
    sent = rows.one()
    if sent is None:
        return False
    answered = await session.exec(
        select(col(Narration.id))
        .where(col(Narration.person_id) == person_id, col(Narration.created_at) >= sent)
        .limit(1)
    )
    return answered.first() is None


# ------------------------------------------------------------------------------------- privacy


async def personal_schedules(session: AsyncSession, *, person_id: int) -> list[Schedule]:
    rows = await session.exec(
        select(Schedule).where(Schedule.person_id == person_id, LIVE).order_by(col(Schedule.id))
    )
    return list(rows.all())


async def zoneless_reminder_people(session: AsyncSession, *, tenant_id: int) -> list[int]:
    """People of a tenant with a personal reminder and no zone of their own (timed in the
    workspace's), in id order."""
    rows = await session.exec(
        select(Schedule.person_id)
        .join(Person, col(Person.id) == col(Schedule.person_id))
        .where(
            Schedule.tenant_id == tenant_id,
            Schedule.kind == PERSONAL,
            LIVE,
            or_(col(Person.timezone).is_(None), col(Person.timezone) == ""),
        )
        .distinct()
        .order_by(col(Schedule.person_id))
    )
    return [pid for pid in rows.all() if pid is not None]


async def erase_for(session: AsyncSession, *, tenant_id: int, person_id: int, user_id: str) -> None:
    """Forget a person's schedules, and any unsent post that names them.

    An unsent post of someone else's schedule (an introduction naming them) is given up, not
    deleted: kept as skipped ("erased") with its payload, the only part naming them, dropped.
    The row still says the post was never sent, so a round whose every introduction failed or
    was given up still reads as one that reached nobody (``introductions.undelivered``), and
    the slot is not claimed again."""
    mine = select(Schedule.id).where(Schedule.person_id == person_id)
    await session.exec(delete(ScheduleSend).where(col(ScheduleSend.schedule_id).in_(mine)))
    await session.exec(delete(ScheduleSend).where(col(ScheduleSend.person_id) == person_id))
    await session.exec(delete(Schedule).where(col(Schedule.person_id) == person_id))
    await (await session.connection()).execute(
        update(ScheduleSend)
        .where(
            col(ScheduleSend.tenant_id) == tenant_id,
            col(ScheduleSend.payload).is_not(None),
            or_(
                # Escaped: a ``_`` or ``%`` in a platform id must not match someone else's.
                col(ScheduleSend.payload).contains(f'"{user_id}"', autoescape=True),
                col(ScheduleSend.payload).contains(f"<@{user_id}>", autoescape=True),
            ),
        )
        .values(
            status=SKIPPED,
            payload=None,
            error="erased",
            lease_owner=None,
            lease_until=None,
            sent_at=None,
        )
    )


async def channels_named(session: AsyncSession, *, tenant_id: int, key: str) -> list[Channel]:
    """Channels of the tenant whose platform id, or else name, is ``key``."""
    rows = await session.exec(
        select(Channel)
        .where(Channel.tenant_id == tenant_id)
        .where(or_(col(Channel.channel_id) == key, col(Channel.name) == key))
        .order_by(col(Channel.channel_id) != key, col(Channel.id))
    )
    return list(rows.all())


# ------------------------------------------------------------------------------ queued replies

# A reply schedule never fires: only its sends are due (``schedule_tables.REPLY``).
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def _reply_sends(tenant_id: int, place: str) -> Any:
    """The tenant's queued replies to ``place`` that are still to be sent."""
    replies = select(Schedule.id).where(Schedule.tenant_id == tenant_id, Schedule.kind == REPLY)
    return (
        col(ScheduleSend.schedule_id).in_(replies),
        col(ScheduleSend.slot) == place,
        col(ScheduleSend.status) == PENDING,
    )


async def replies_waiting(session: AsyncSession, *, tenant_id: int, place: str) -> datetime | None:
    """When the latest reply queued for ``place`` (a conversation) is due, while any is still
    to be sent; ``None`` when none waits (a later reply there may then go at once)."""
    found = await session.exec(
        select(func.max(ScheduleSend.due_at)).where(*_reply_sends(tenant_id, place))
    )
    return found.one()


async def queue_replies(
    session: AsyncSession,
    *,
    tenant_id: int,
    person_id: int | None,
    place: str,
    payloads: Sequence[str],
    due_at: datetime,
    now: datetime,
    dialect: str,
    follows: Sequence[bool] = (),
) -> int:
    """Queue replies to ``place`` as sends of the tenant's reply schedule (made on first use),
    due at ``due_at`` or after the latest one already waiting there, in the order given: the
    tick sends due rows by ``(due_at, id)``. ``person_id`` is whom they answer (forget-me
    deletes them with the person's other sends). ``follows[i]``: the ``i``-th is about the one
    before it ("Did this answer help?"), linked to it by its ``thread_part`` (``answer_sent``).
    Returns how many were queued."""
    if not payloads:
        return 0
    found = await session.exec(
        select(func.min(Schedule.id)).where(Schedule.tenant_id == tenant_id, Schedule.kind == REPLY)
    )
    schedule_id = found.one()
    if schedule_id is None:
        schedule = Schedule(
            tenant_id=tenant_id,
            kind=REPLY,
            days=0,
            local_time="00:00",
            timezone="UTC",
            next_fire_at=NEVER,
            created_at=now,
        )
        session.add(schedule)
        await session.flush()
        schedule_id = schedule.id
    assert schedule_id is not None
    latest = await replies_waiting(session, tenant_id=tenant_id, place=place)
    if latest is not None:
        due_at = max(due_at, _aware(latest))
    parts = [f"r{uuid.uuid4().hex[:15]}" for _ in payloads]
    rows = [
        pending_row(
            schedule_id=schedule_id,
            tenant_id=tenant_id,
            person_id=person_id,
            slot=place,
            part=part,
            due_at=due_at,
            now=now,
            thread_part=parts[i - 1] if i > 0 and i < len(follows) and follows[i] else None,
            payload=payload,
        )
        for i, (part, payload) in enumerate(zip(parts, payloads, strict=True))
    ]
    # One at a time, so ids follow the order given (one executemany may be split and reordered
    # by neither engine, but a row's id is the only order the tick reads among equal due times).
    queued = 0
    for row in rows:
        queued += await claim(session, rows=[row], dialect=dialect)
    return queued


# A kept reply's ``part`` starts with "r"; the note that it was given up (``keep_dropped_note``)
# takes the same part with "d".
DROPPED_NOTE = "d"


def is_dropped_note(send: ScheduleSend) -> bool:
    return send.part.startswith(DROPPED_NOTE)


async def keep_dropped_note(
    session: AsyncSession, *, send: ScheduleSend, due_at: datetime, now: datetime, dialect: str
) -> bool:
    """Queue, for the kept reply ``send`` just given up, the note that tells its person so:
    the same place and person, due at ``due_at``, once per reply (its part) and once while one
    waits for that place. Its payload is the reply's without what it said (its ``reply`` only
    its visibility, no ``answer``): the note is said in its place (``QueuedReplies``'s
    ``instead``), and nothing it showed outlives it. ``False`` when none was queued."""
    kept = json.loads(send.payload or "null")
    if not isinstance(kept, dict) or not isinstance(kept.get("reply"), dict):
        return False
    where = {"text": "", "visibility": kept["reply"].get("visibility", "private")}
    payload = json.dumps({**kept, "reply": where, "answer": None})
    waiting = await session.exec(
        select(func.count())
        .select_from(ScheduleSend)
        .where(
            *_reply_sends(send.tenant_id, send.slot),
            col(ScheduleSend.part).startswith(DROPPED_NOTE),
        )
    )
    if waiting.one():
        return False
    row = pending_row(
        schedule_id=send.schedule_id,
        tenant_id=send.tenant_id,
        person_id=send.person_id,
        slot=send.slot,
        part=DROPPED_NOTE + send.part[1:],
        due_at=due_at,
        now=now,
        payload=payload,
    )
    return await claim(session, rows=[row], dialect=dialect) > 0


async def answer_sent(session: AsyncSession, *, send: ScheduleSend) -> bool:
    """Whether the kept reply ``send`` is about (its ``thread_part``: ``queue_replies``'s
    ``follows``) was sent: not given up, skipped, erased or still waiting. ``True`` for a reply
    about none."""
    if send.thread_part is None:
        return True
    answer = await sibling(
        session, schedule_id=send.schedule_id, slot=send.slot, part=send.thread_part
    )
    return answer is not None and answer.status == SENT


async def answer_due(session: AsyncSession, *, send: ScheduleSend) -> datetime | None:
    """When the kept reply ``send`` is about (its ``thread_part``) is due, while it is still to
    be sent: refused once, the answer was put off past ``send``, which must wait for it rather
    than be skipped as if it was never sent (``answer_sent``). ``None`` for a reply about none,
    or once its answer is done (sent or not)."""
    if send.thread_part is None:
        return None
    answer = await sibling(
        session, schedule_id=send.schedule_id, slot=send.slot, part=send.thread_part
    )
    if answer is None or answer.status != PENDING:
        return None
    return _aware(answer.due_at)


async def reply_before(session: AsyncSession, *, send: ScheduleSend) -> datetime | None:
    """When an earlier reply queued for the same place as ``send`` (due before it, or as it
    and queued first) is due, while it is still to be sent: ``send`` must wait for it."""
    found = await session.exec(
        select(ScheduleSend.due_at)
        .where(
            col(ScheduleSend.tenant_id) == send.tenant_id,
            *_reply_sends(send.tenant_id, send.slot),
            or_(
                col(ScheduleSend.due_at) < send.due_at,
                (col(ScheduleSend.due_at) == send.due_at) & (col(ScheduleSend.id) < send.id),
            ),
        )
        .order_by(col(ScheduleSend.due_at).desc())
        .limit(1)
    )
    latest = found.first()
    return None if latest is None else _aware(latest)


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive (they are stored in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _naming(tenant_id: int, user_id: str) -> Any:
    """The tenant's queued replies still to be sent whose payload is for or names ``user_id``
    (escaped, as ``erase_for`` matches: a ``_`` or ``%`` in an id matches nobody else's)."""
    replies = select(Schedule.id).where(Schedule.tenant_id == tenant_id, Schedule.kind == REPLY)
    return (
        col(ScheduleSend.tenant_id) == tenant_id,
        col(ScheduleSend.schedule_id).in_(replies),
        col(ScheduleSend.status) == PENDING,
        col(ScheduleSend.payload).is_not(None),
        or_(
            col(ScheduleSend.payload).contains(f'"{user_id}"', autoescape=True),
            col(ScheduleSend.payload).contains(f"<@{user_id}>", autoescape=True),
        ),
    )


async def replies_naming(
    session: AsyncSession, *, tenant_id: int, user_id: str
) -> list[ScheduleSend]:
    """Queued replies still to be sent to (or naming) someone, known by their user id alone:
    their export lists them, enrolled or not."""
    rows = await session.exec(
        select(ScheduleSend)
        .where(*_naming(tenant_id, user_id))
        .order_by(col(ScheduleSend.due_at), col(ScheduleSend.id))
    )
    return list(rows.all())


async def replies_to(session: AsyncSession, *, tenant_id: int, user_id: str) -> list[ScheduleSend]:
    """Queued replies still to be sent that answer ``user_id`` (their payload's ``user``): their
    export lists these, not someone else's reply that merely names them (forget-me drops
    those too, ``drop_replies_naming``)."""
    rows = await replies_naming(session, tenant_id=tenant_id, user_id=user_id)
    return [r for r in rows if _kept_field(r, "user") == user_id]


def _kept_field(send: ScheduleSend, key: str) -> str | None:
    """A key of a kept reply's payload (``QueuedReplies``: a JSON object)."""
    try:
        kept = json.loads(send.payload or "")
    except ValueError:
        return None
    value = kept.get(key) if isinstance(kept, dict) else None
    return value if isinstance(value, str) else None


def kept_reply_user(send: ScheduleSend) -> str | None:
    """Whom a kept reply answers, as its payload says (``QueuedReplies``: its ``user``)."""
    return _kept_field(send, "user")


def kept_reply_place(send: ScheduleSend) -> str | None:
    """The conversation a kept reply goes to, as its payload says (``QueuedReplies``: a JSON
    object whose ``channel`` names it); its slot is a digest of that and its asker."""
    return _kept_field(send, "channel")


async def drop_replies_naming(session: AsyncSession, *, tenant_id: int, user_id: str) -> None:
    """Forget-me: the queued replies to or naming them are never sent (deleted with what
    they say). Someone else's that shows narrations with a note for when they changed (its
    ``reply``'s ``if_kept``: a profile of them, who could help naming them) becomes that note,
    which names nobody: its asker still hears back, as they would once it was sent."""
    rows = await replies_naming(session, tenant_id=tenant_id, user_id=user_id)
    gone: list[int] = []
    for row in rows:
        assert row.id is not None
        note = _as_its_note(row, user_id)
        if note is None:
            gone.append(row.id)
        else:
            await session.exec(
                update(ScheduleSend).where(col(ScheduleSend.id) == row.id).values(payload=note)
            )
    if gone:
        await session.exec(delete(ScheduleSend).where(col(ScheduleSend.id).in_(gone)))


def _as_its_note(send: ScheduleSend, user_id: str) -> str | None:
    """A kept reply's payload with its ``reply`` said as its ``if_kept`` note, or ``None``
    when it answers ``user_id``, has no note, or would still name them."""
    try:
        kept = json.loads(send.payload or "")
    except ValueError:
        return None
    if not isinstance(kept, dict) or kept.get("user") == user_id:
        return None
    reply = kept.get("reply")
    if not isinstance(reply, dict) or not reply.get("if_kept"):
        return None
    said = {
        **reply,
        "text": reply["if_kept"],
        "names": {},
        "if_kept": None,
        "shown": [],
        "people": [],
    }
    note = json.dumps({**kept, "reply": said, "answer": None})
    return None if f'"{user_id}"' in note or f"<@{user_id}>" in note else note
