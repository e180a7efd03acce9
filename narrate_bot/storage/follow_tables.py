"""Weekly digests of followed topics (``/narrate follow <topic>``): one claim per person and
week, imported by ``tables.py`` so Alembic sees it.

The topics someone follows are ``topic_preference`` rows of kind ``follow``; this table only
makes the Monday DM go out once. A row is inserted under ``UNIQUE(person_id, week)`` and
committed *before* anything is posted, so two ticks, a restart or two replicas never send a
second one; its outcome is then recorded. Nothing of what the DM listed is kept: the week, and
what became of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

# What became of a week's claim.
PENDING, SENT, QUIET, SKIPPED, FAILED = "pending", "sent", "quiet", "skipped", "failed"


class FollowDigest(SQLModel, table=True):
    """``week`` is the local date (ISO) of the Monday the digest was due, in the follower's
    zone; ``status`` one of pending, sent, quiet (nothing new: no DM), skipped (paused, left,
    a guest) or failed."""

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
