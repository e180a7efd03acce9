"""Tables for scheduled work (docs/adr/0007): what is scheduled, and every send it claimed.

``schedule`` is the source of truth (APScheduler only wakes the tick up). ``schedule_send`` is
both the claim and the outbox: a row is inserted under ``UNIQUE(schedule_id, slot, part)`` and
committed *before* anything is posted, then its outcome is recorded. A slot is the local date of
the fire time in the schedule's zone, so a repeated DST hour can never claim a second send.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapper, object_session
from sqlmodel import Field, SQLModel

# What a schedule is (``Schedule.kind``): a channel's prompt, a person's own reminder, a channel's
# weekly digest, or one of the weekly introductions' two jobs (pairing, then the follow-up).
PROMPT, PERSONAL, DIGEST = "prompt", "personal", "digest"
INTROS, FOLLOW_UP = "intros", "intros_followup"
JOB_KINDS = (INTROS, FOLLOW_UP)
# A tenant's replies to people's events that the platform refused for a while (a rate limit in
# force): each is a send of this schedule, due when the limit has passed (``queued_replies``).
# The schedule itself never fires (``next_fire_at`` far ahead); only its sends are due.
REPLY = "reply"
# The kinds people see and type a number for (``#3`` in ``schedule list``, ``schedule remove 3``,
# a prompt's "Write my update" button ``/narrate reply 3``): a channel's prompts and digests.
NUMBERED = (PROMPT, DIGEST)


class Schedule(SQLModel, table=True):
    """A recurring job: a channel prompt, a personal prompt, a channel digest, or introductions.

    ``days`` is a weekday bitmask (Monday = 1, Sunday = 64); ``local_time`` is ``HH:MM`` in
    ``timezone``. ``next_fire_at`` (UTC) is the next due instant, recomputed after every tick.

    A removed channel schedule keeps its row, marked ``removed_at``: it never fires and isn't
    listed, but its id is never given to another schedule (SQLite reuses the highest freed
    rowid), so a prompt already posted still answers its thread and its "Write my update"
    button as the prompt it was, in its own channel. It goes with its tenant, like any row.

    ``number`` is what people see and type ("Scheduled #3", ``schedule remove 3``, the
    "Write my update" button's ``/narrate reply 3``): 1, 2, 3 … within the tenant, for channel
    prompts and digests only (``NUMBERED``; a personal reminder or an introductions job is
    never named by number and has none, so they don't show how many others exist either). The
    global ``id`` counted every workspace's schedules, so a workspace's first prompt could read
    "#3" and tell how many other workspaces the install serves and how busy they are. A number
    is never given twice within a tenant: removed rows keep theirs and count for the next
    (``next_number``; ``storage.schedules.add_schedule`` retries a race). Schedules stored
    before numbers existed kept their id as their number (migration 0019), so what was
    already posted or learnt still means them.

    ``question`` is a channel prompt's own question ("What did you ship today?"), set by whoever
    may manage the schedule; ``None`` asks the default one (``features.prompt_wording``). Stored
    as it is posted: one line, mentions and links taken out (``prompt_wording.clean_question``).
    """

    __tablename__ = "schedule"
    __table_args__ = (
        # Only live schedules are ever due: removed ones pile up, and mustn't slow the tick.
        Index(
            "ix_schedule_next_fire",
            "next_fire_at",
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        # NULLs (reminders, introductions jobs) never clash, on SQLite and PostgreSQL alike.
        Index("uq_schedule_tenant_number", "tenant_id", "number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)  # prompt | personal | digest | intros | intros_followup
    number: int | None = None  # per tenant, for NUMBERED kinds; set on insert (``next_number``)
    channel_pk: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), nullable=True),
    )
    person_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=True),
    )
    days: int
    local_time: str = Field(max_length=5)
    timezone: str = Field(max_length=64)
    next_fire_at: datetime
    created_at: datetime
    removed_at: datetime | None = None
    question: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


@event.listens_for(Schedule, "before_insert")
def next_number(_mapper: Mapper[Any], connection: Connection, target: Schedule) -> None:
    """Number a channel prompt or digest as it is inserted, however it was added: its tenant's
    highest number + 1 (removed rows count: they keep theirs), above any other schedule of the
    tenant numbered in the same flush. A concurrent insert from another replica can still take
    the same number first; the unique index then refuses this one, and
    ``storage.schedules.add_schedule`` tries again."""
    if target.number is not None or target.kind not in NUMBERED:
        return
    table = Schedule.__table__  # type: ignore[attr-defined]
    last = connection.execute(
        select(func.max(table.c.number)).where(table.c.tenant_id == target.tenant_id)
    ).scalar()
    session = object_session(target)
    flushed = [
        other.number
        for other in (session.new if session is not None else ())
        if isinstance(other, Schedule)
        and other is not target
        and other.tenant_id == target.tenant_id
        and other.number is not None
    ]
    target.number = max([last or 0, *flushed]) + 1


class ScheduleSend(SQLModel, table=True):
    """One claimed send (the outbox row): pending until posted, then sent, skipped or failed.

    ``part`` tells the sends of one slot apart: ``main``, ``reminder``, ``thread``, ``post-3``.
    ``lease_until`` lets another process take over a pending row whose owner died (kill -9).
    ``payload`` (the post as JSON) is cleared once the send is final; ``message_id`` stays, so
    replies in the prompt's thread can be recognised.
    """

    __tablename__ = "schedule_send"
    __table_args__ = (
        UniqueConstraint("schedule_id", "slot", "part", name="uq_schedule_send_slot_part"),
        Index("ix_schedule_send_pending", "status", "due_at"),
        Index("ix_schedule_send_message", "tenant_id", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(
        sa_column=Column(Integer, ForeignKey("schedule.id", ondelete="CASCADE"), nullable=False)
    )
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    person_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=True),
    )
    slot: str = Field(max_length=16)
    part: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)  # pending | sent | skipped | failed
    due_at: datetime
    thread_part: str | None = Field(default=None, max_length=16)
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    lease_owner: str | None = Field(default=None, max_length=40)
    lease_until: datetime | None = None
    attempts: int = 0
    message_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    error: str | None = Field(default=None, max_length=200)
    claimed_at: datetime
    sent_at: datetime | None = None


class ScheduleSkip(SQLModel, table=True):
    """Dates (inclusive, ``YYYY-MM-DD`` local to each schedule) when a channel gets no prompt."""

    __tablename__ = "schedule_skip"

    id: int | None = Field(default=None, primary_key=True)
    channel_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), nullable=False)
    )
    first_day: str = Field(max_length=10)
    last_day: str = Field(max_length=10)
