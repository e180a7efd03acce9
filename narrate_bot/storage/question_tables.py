"""Questions the bot posted to the open-questions channel (``/narrate ask-channel``), imported by
``tables.py`` so Alembic sees them.

Kept so the weekly digest can list the week's open questions: they are not narrations (they say
nothing about what the asker knows), so they never reach answers, topics or introductions. A row
holds only what was posted (the cleaned question, who asked, where it went) and cascades from
the asker's person row, so forget-me takes it with them.

The post itself is the platform's: the row keeps its channel and message id (once the platform
accepted it) so forget-me and ``ask-channel withdraw`` can delete it, since it names the asker.
A question is open until its asker marks it answered or withdraws it, or its post is lost (deleted
in the channel, or the channel deleted or archived): nobody can answer it there any more, so it
is no longer listed, and its asker is told. Only open ones are listed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

OPEN, ANSWERED, WITHDRAWN, LOST = "open", "answered", "withdrawn", "lost"


class OpenQuestion(SQLModel, table=True):
    __tablename__ = "open_question"
    __table_args__ = (Index("ix_open_question_tenant_asked", "tenant_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False)
    )
    # Where it was posted: its readers are who may see it again in a digest.
    channel_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), nullable=False)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    asked_at: datetime
    # The post, for deleting it: empty while it is being posted, and for posts made before
    # migration 0020 (their ids were never kept).
    post_channel_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    post_message_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(
        default=OPEN, sa_column=Column(String(16), nullable=False, server_default=OPEN)
    )
    closed_at: datetime | None = None


class QuestionCredit(SQLModel, table=True):
    """Who answered a question, as its asker said (``ask-channel answered by @bob``): an outcome
    of people finding each other, counted in ``/narrate stats``. Its own table (not a column
    of ``open_question``) so adding it rebuilt nothing. Goes with the question, and with the
    answerer's forget-me: the question stays answered, uncredited."""

    __tablename__ = "question_credit"

    question_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("open_question.id", ondelete="CASCADE"), primary_key=True
        )
    )
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class QuestionNudge(SQLModel, table=True):
    """The kind follow-up on an open question nobody closed (``features.question_nudges``):
    its asker is asked once whether it is still open, and once more only if they say it is.
    The row is the claim of each DM (made before it is sent, so replicas never send it twice)
    and the asker's "still open". Its own table so adding it rebuilt nothing; goes with the
    question."""

    __tablename__ = "question_nudge"
    __table_args__ = (
        Index(
            "ix_question_nudge_still_open",
            "still_open_at",
            sqlite_where=sql_text("nudges = 1 AND still_open_at IS NOT NULL"),
            postgresql_where=sql_text("nudges = 1 AND still_open_at IS NOT NULL"),
        ),
        Index(
            "ix_question_nudge_retry_at",
            "retry_at",
            sqlite_where=sql_text("retry_at IS NOT NULL"),
            postgresql_where=sql_text("retry_at IS NOT NULL"),
        ),
    )

    question_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("open_question.id", ondelete="CASCADE"), primary_key=True
        )
    )
    # DMs sent (claimed): 1 or 2. Never more: a question is asked about twice at most.
    nudges: int = Field(sa_column=Column(Integer, nullable=False))
    nudged_at: datetime
    # When the asker said "still open" (the second nudge is due a while after it).
    still_open_at: datetime | None = None
    # A DM the platform took nothing of (``ports.NotPosted``) is sent again at ``retry_at``
    # (claimed by clearing it); ``attempts``: its failed tries so far, for the back-off.
    retry_at: datetime | None = None
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
