"""The weekly channel digest's copies of open questions.

A digest's thread lists open questions ("@zoe is looking for someone who knows about …"): it
names each asker and quotes their question in a channel, like the question's own post. When the
question is withdrawn or its asker forgotten, that line must leave the digest too, so the thread
post is kept as it was posted (``digest_thread``) with which question each of its lines is
(``digest_question``); ``features.digest_copies`` edits the line out (or deletes the post when
nothing else is left in it). Kept only for digests that listed a question.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel


class DigestThread(SQLModel, table=True):
    """A digest's thread post that listed open questions, as it stands now."""

    __tablename__ = "digest_thread"

    send_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("schedule_send.id", ondelete="CASCADE"), primary_key=True
        )
    )
    # The ``replies.Post`` as posted (JSON), less the lines taken out since.
    post: str = Field(sa_column=Column(Text, nullable=False))
    # The week had no narrations: the digest's post ("no narrations, but open questions …")
    # was there for the questions alone, and goes with the last of them.
    alone: bool = Field(sa_column=Column(Boolean, nullable=False))


class DigestQuestion(SQLModel, table=True):
    """One open question's line in a digest's thread post."""

    __tablename__ = "digest_question"
    __table_args__ = (Index("ix_digest_question_question", "question_id"),)

    send_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("digest_thread.send_id", ondelete="CASCADE"), primary_key=True
        )
    )
    question_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("open_question.id", ondelete="CASCADE"), primary_key=True
        )
    )
    line: str = Field(sa_column=Column(Text, nullable=False))  # exactly as posted


class DigestQuestionGone(SQLModel, table=True):
    """A digest line whose question an older replica deleted without taking it out (its
    ``DigestQuestion`` cascaded): copied here by a trigger (migration 0040) for the scheduler's
    repair to take it out. This version's withdraw and forget-me leave none."""

    __tablename__ = "digest_question_gone"

    send_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("digest_thread.send_id", ondelete="CASCADE"), primary_key=True
        )
    )
    # The question's id, for the key only: the question is gone.
    question_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    line: str = Field(sa_column=Column(Text, nullable=False))  # exactly as posted
    # When the repair may try (again): ``None``, as the trigger leaves it, is at once; a try
    # under way leases it, a failure puts it off (``attempts`` so far sets how long).
    retry_at: datetime | None = Field(default=None)
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # When the platform first refused for good to take it out (``ports.RefusedForGood``):
    # logged that once, then tried weekly, or at once when the bot is back in the channel
    # (migration 0049).
    refused_at: datetime | None = Field(default=None)
