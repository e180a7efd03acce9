"""Messages the bot posted that quote narrations, and which narrations each quotes (the
migration ``narration_copies``), imported by ``tables.py`` so Alembic sees them.

The weekly followed-topics DM quotes up to 120 characters of each narration it lists. The
narration's ``/narrate delete``, ``edit``, ``unshare`` and its author's forget-me change what
may be read of it; the DM, a message the platform keeps for good, must follow, as the form
update's post in a prompt's thread does (ADR 0012). So each such message is kept as it stands
now (``post``, the ``replies.Post`` as JSON) with the line that quotes each narration
(``NarrationCopyQuote``); ``features.narration_copies`` rewrites a line and edits the message.

Kept while it quotes a narration still there: the message stays on the platform as long, and a
fixed expiry would leave the words of a narration deleted later in it. The last quote gone, the
row goes once the platform has the edit. A reader's forget-me first empties their messages
(to say only that they were forgotten: a narration deleted later would have nothing left to
reach them by), the row then naming no reader, and keeping of the message only the DM it is in
and its id, until the platform has that edit. Both go with the channel
(``channel_pk``, where a who-knows answer was posted) and the workspace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

# What a message is: the weekly followed-topics DM, or a who-knows answer (in the channel it
# was asked in, or the asker's DM).
FOLLOW_DIGEST = "follow_digest"
WHO_KNOWS = "who_knows"


class NarrationCopy(SQLModel, table=True):
    """One posted message quoting narrations, as it stands now."""

    __tablename__ = "narration_copy"
    __table_args__ = (
        Index("ix_narration_copy_retry_at", "retry_at"),
        Index("ix_narration_copy_reader_user", "tenant_id", "reader_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    # Who it was sent to: it goes with them (their forget-me, their workspace's removal).
    # ``None`` for an answer in a channel, which everyone there reads (``channel_pk``).
    person_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    # The channel whose readers read it (a who-knows answer posted there): an unshare removes
    # a quote that channel may no longer read, and the record goes with the channel.
    channel_pk: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("channel.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    # A who-knows answer sent by DM to someone the bot keeps no person for (they never joined):
    # their platform user id in the workspace, by which the quotes are read for them, and by
    # which their export shows the message and their forget-me empties it (migration 0042).
    reader_user_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str = Field(sa_column=Column(Text, nullable=False))
    post: str = Field(sa_column=Column(Text, nullable=False))  # ``replies.Post`` JSON, as now
    posted_at: datetime
    # When the platform must next be told what ``post`` says now: ``None`` while it shows it
    # already; a try under way leases it, a failure puts it off (``attempts`` sets how long).
    retry_at: datetime | None = Field(default=None)
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # When the platform first refused for good to edit it (``ports.CannotEdit``): logged that
    # once, then tried weekly; ``None`` again once an edit goes through (migration 0048).
    refused_at: datetime | None = Field(default=None)


class NarrationCopyQuote(SQLModel, table=True):
    """The line of a message that quotes one narration, exactly as the message shows it."""

    __tablename__ = "narration_copy_quote"
    __table_args__ = (Index("ix_narration_copy_quote_narration", "narration_id"),)

    copy_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("narration_copy.id", ondelete="CASCADE"), primary_key=True
        )
    )
    narration_id: int = Field(
        sa_column=Column(Integer, ForeignKey("narration.id", ondelete="CASCADE"), primary_key=True)
    )
    line: str = Field(sa_column=Column(Text, nullable=False))


class NarrationCopyGone(SQLModel, table=True):
    """A line of a kept message whose narration an older replica deleted without editing the
    message (the quote's row cascaded): copied here by a trigger (migration 0037) for the
    scheduler's repair to say it was removed. This version's deletes leave none."""

    __tablename__ = "narration_copy_gone"

    copy_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("narration_copy.id", ondelete="CASCADE"), primary_key=True
        )
    )
    # The narration's id, for the key only: the narration is gone.
    narration_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    line: str = Field(sa_column=Column(Text, nullable=False))
