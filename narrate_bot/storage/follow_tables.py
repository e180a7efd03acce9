"""Weekly digests of followed topics (``/narrate follow <topic>``): one claim per person and
week, and when each follower's next one is due; imported by ``tables.py`` so Alembic sees them.

The topics someone follows are ``topic_preference`` rows of kind ``follow``; this table only
makes the Monday DM go out once. A row is inserted under ``UNIQUE(person_id, week)`` and
committed *before* anything is posted, so two ticks, a restart or two replicas never send a
second one; its outcome is then recorded. Nothing of what the DM listed is kept: the week, and
what became of it.

``follow_schedule`` holds, per follower, the UTC instant their digest is next due (their next
Monday 09:00, or a retry's time), indexed: a scheduler wake-up reads only the rows due, never
every follower (migration 0029).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

# What became of a week's claim. ``retry``: an attempt failed without anything posted, and the
# week is tried again (``attempts`` so far) when its follower's ``follow_schedule`` row is due.
PENDING, SENT, QUIET, SKIPPED, FAILED = "pending", "sent", "quiet", "skipped", "failed"
RETRY = "retry"


class FollowDigest(SQLModel, table=True):
    """``week`` is the local date (ISO) of the Monday the digest was due, in the follower's
    zone; ``status`` one of pending, sent, quiet (nothing new: no DM), skipped (paused, left,
    a guest), retry (to be tried again) or failed; ``attempts`` how many times it was taken."""

    __tablename__ = "follow_digest"
    __table_args__ = (UniqueConstraint("person_id", "week", name="uq_follow_digest_person_week"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False)
    )
    week: str = Field(sa_column=Column(String(10), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    claimed_at: datetime
    sent_at: datetime | None = None
    attempts: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))


class FollowSchedule(SQLModel, table=True):
    """One row per person who follows a topic: ``due_at`` is when their digest next needs a
    look (their next Monday 09:00 in their zone, else the workspace's, else UTC; or a retry's
    time). Kept on follow, unfollow, a zone change and after each week; a row due early (a zone
    moved west) is moved on when it is looked at, so the stored instant may be early, never
    late."""

    __tablename__ = "follow_schedule"

    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    )
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    due_at: datetime = Field(index=True)
