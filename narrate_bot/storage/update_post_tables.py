"""Where a form update was posted in its prompt's thread, imported by ``tables.py`` so Alembic
sees it.

An update written through a prompt's "Write my update" form (or ``/narrate reply``) is posted in
that prompt's thread, naming its author. The row keeps where that post is, so an edit of the
narration edits it, and a delete, an "only for me" again or forget-me deletes it. It is claimed
(inserted, ``message_id`` empty) before the post goes out, under ``UNIQUE(narration_id)``, so a
second try for the same narration (a replica, a double click on "share") posts nothing; a post
the platform refused drops its claim. It cascades from the narration, and so from its author.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# The few rows in flight, each under its own partial index (migration 0035): a scheduler
# wake-up asks when the next retry (``retry_at``) or look for a lost post (``claimed_at``) is
# due, and must not read every post ever made to answer "none".
WAITING = text("message_id IS NULL AND retry_at IS NOT NULL")
UNSURE = text("message_id IS NULL AND retry_at IS NULL")
# Posts whose text or visibility may be behind their narration's (migration 0044).
RESYNC = text("resync_at IS NOT NULL")


class UpdatePost(SQLModel, table=True):
    __tablename__ = "update_post"
    __table_args__ = (
        UniqueConstraint("narration_id", name="uq_update_post_narration"),
        Index(
            "ix_update_post_retry_at", "retry_at", sqlite_where=WAITING, postgresql_where=WAITING
        ),
        Index("ix_update_post_unsure", "claimed_at", sqlite_where=UNSURE, postgresql_where=UNSURE),
        Index(
            "ix_update_post_resync_at", "resync_at", sqlite_where=RESYNC, postgresql_where=RESYNC
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    narration_id: int = Field(
        sa_column=Column(Integer, ForeignKey("narration.id", ondelete="CASCADE"), nullable=False)
    )
    # The platform's ids: the prompt's channel, the prompt's message (the thread), the post.
    channel_id: str = Field(sa_column=Column(Text, nullable=False))
    thread_of: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    claimed_at: datetime
    # When the scheduler's tick may try the post (again), after a passing failure (migration
    # 0028); ``None`` when there is nothing for it to try: the post went out, or the command
    # that claimed it is making it. ``attempts``: the tick's tries so far, bounded.
    retry_at: datetime | None = Field(default=None)
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # When the post must be made to match its narration again (migration 0044): set to
    # 1970-01-01 ("due now") by a trigger when a narration's text changes, or it becomes "only
    # me", by any version's SQL; this version's own edit leases it
    # (``update_post_resync.lease``) and clears it once the platform has the edit.
    # ``resync_tries``: failed repairs so far, for the wait.
    resync_at: datetime | None = Field(default=None)
    resync_tries: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    # When the platform first refused the repair's edit until someone changes something (the
    # app removed from the channel, a post it may not edit; migration 0053): logged once, tried
    # weekly, due at once when the bot is back in the channel.
    resync_refused_at: datetime | None = Field(default=None)
