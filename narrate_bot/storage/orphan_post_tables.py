"""Where a form update's post is, kept after its narration went without it (the migration
``update_post_orphans``), imported by ``tables.py`` so Alembic sees it.

A narration's ``update_post`` row cascades with it. An older narrate-bot still running in a
rolling deploy (one from before migration 0025) deletes narrations, by ``/narrate delete`` or
forget-me, without knowing the post exists: the row went, and the post naming its author stayed
in the prompt's thread with nothing left to find it by. A database trigger (written in the
migration, so every version's deletes fire it) copies the post's place here as the narration
goes; ``features.orphan_posts`` deletes the post from the platform and then the row, tried again
until the platform confirms. Nothing here names anyone: the workspace's row id and the
platform's ids of the channel, thread and post.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel


class UpdatePostOrphan(SQLModel, table=True):
    __tablename__ = "update_post_orphan"
    # The wake-up's probes: a place refused waits with its ``retry_at`` a week ahead, so the
    # probes never read it until then (whole again in migration 0043).
    __table_args__ = (Index("ix_update_post_orphan_retry_at", "retry_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Gone with its workspace (the app removed: nothing could delete the post any more). The
    # trigger keeps nothing while the workspace itself is being deleted.
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    channel_id: str = Field(sa_column=Column(Text, nullable=False))
    thread_of: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str = Field(sa_column=Column(Text, nullable=False))
    # When the repair may try it (again): ``None``, as the trigger leaves it, is at once; a try
    # under way leases it, a failure puts it off (``attempts`` so far sets how long).
    retry_at: datetime | None = Field(default=None)
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # When the platform first refused to delete it until someone changes something (the app
    # may not, or no longer reaches its channel): logged that once, then tried weekly, and at
    # once when the bot is added to its channel again (migration 0043).
    refused_at: datetime | None = Field(default=None)
