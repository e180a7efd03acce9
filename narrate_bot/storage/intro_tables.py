"""Tables of the weekly introductions (issue 5), imported by ``tables.py`` so Alembic sees them.

Everything about a person here cascades from their person row and from the tenant, and is
exported and erased by ``privacy.py``. An introduction's reason isn't stored (it names topics
from both people's narrations); only the topics it cited, so "not useful" can weigh them down.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _tenant_fk() -> Column[int]:
    return Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)


def _person_fk(*, primary_key: bool = False) -> Column[int]:
    return Column(
        Integer,
        ForeignKey("person.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


class IntroParticipant(SQLModel, table=True):
    """Someone who joined introductions; ``skip_until`` holds "skip me next week"."""

    __tablename__ = "intro_participant"

    person_id: int = Field(sa_column=_person_fk(primary_key=True))
    tenant_id: int = Field(sa_column=_tenant_fk())
    joined_at: datetime
    skip_until: datetime | None = None


class IntroNeverPair(SQLModel, table=True):
    """A private wish never to be introduced to someone (by platform user id); never revealed."""

    __tablename__ = "intro_never_pair"
    __table_args__ = (UniqueConstraint("person_id", "other_user_id", name="uq_intro_never_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(sa_column=_tenant_fk())
    person_id: int = Field(sa_column=_person_fk())
    other_user_id: str = Field(max_length=64)
    created_at: datetime


class IntroRound(SQLModel, table=True):
    """One tenant's week: unique, so two concurrent runs can't both suggest."""

    __tablename__ = "intro_round"
    __table_args__ = (UniqueConstraint("tenant_id", "week", name="uq_intro_round_week"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(sa_column=_tenant_fk())
    week: str = Field(max_length=10)  # ISO week, e.g. 2026-W48
    created_at: datetime


class Introduction(SQLModel, table=True):
    """One suggested meeting. People know it by ``number``, counted within its tenant, so no
    workspace learns how many introductions the others had (the primary key is global)."""

    __tablename__ = "introduction"
    __table_args__ = (
        Index("ix_introduction_tenant_created", "tenant_id", "created_at"),
        Index("uq_introduction_tenant_number", "tenant_id", "number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(sa_column=_tenant_fk())
    number: int  # "Introduction #3": the tenant's 1st, 2nd, 3rd … introduction
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("intro_round.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime
    topics: str = Field(default="", max_length=400)  # the topics its reason cited, comma-separated
    answers_question: bool = False  # its reason was someone's who-knows question
    followed_up_at: datetime | None = None
    # When its first post (channel or group DM) actually went out: only a delivered
    # introduction is followed up, rests its people (pace) and fills the no-repeat window.
    delivered_at: datetime | None = None


class IntroMember(SQLModel, table=True):
    """Who an introduction introduced, with their team then (for team ties and statistics)."""

    __tablename__ = "intro_member"
    __table_args__ = (Index("ix_intro_member_person", "person_id"),)

    introduction_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("introduction.id", ondelete="CASCADE"), primary_key=True
        )
    )
    person_id: int = Field(sa_column=_person_fk(primary_key=True))
    team: str | None = Field(default=None, max_length=100)
    # When its group DM (Discord: one DM each) didn't reach them though others got it, or
    # nothing could reach them: they weren't introduced, so they aren't followed up or rested
    # (0058). Cleared when a later try of theirs goes out.
    unreached_at: datetime | None = None


class IntroFeedback(SQLModel, table=True):
    """One person's answer about one introduction: ``met`` or ``not_useful`` (latest wins)."""

    __tablename__ = "intro_feedback"

    introduction_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("introduction.id", ondelete="CASCADE"), primary_key=True
        )
    )
    person_id: int = Field(sa_column=_person_fk(primary_key=True))
    outcome: str = Field(max_length=16)
    at: datetime


class IntroAskedTopic(SQLModel, table=True):
    """A topic a participant asked "who knows about …?" for, so someone who narrates about it
    can be introduced to them. Recorded only for people who joined introductions."""

    __tablename__ = "intro_asked_topic"
    __table_args__ = (
        Index("ix_intro_asked_topic_tenant_at", "tenant_id", "asked_at"),
        # ``intros leave``, ``/narrate leave`` and forget-me delete one person's rows, and the
        # week reads its participants': by person, never a scan of the whole table.
        Index("ix_intro_asked_topic_person", "person_id", "asked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(sa_column=_tenant_fk())
    person_id: int = Field(sa_column=_person_fk())
    topic: str = Field(sa_column=Column(String(64), nullable=False))
    asked_at: datetime


class IntroPost(SQLModel, table=True):
    """Where an introduction was posted in the introductions channel (migration 0033).

    The post names its people, their teams and what they narrated about, in a channel the whole
    workspace reads. When one of them is forgotten, it is edited to say "someone who has since
    left" (deleted once nobody in it is left), as their own views of it say:
    ``features.intro_posts``. ``retract_at`` is set then, when the edit is due (again: a
    failure puts it off, ``attempts`` so far setting how long); ``None`` while nothing is to be
    done. ``people`` is how many it introduced, so the edit can say someone left after the
    member rows went. Nothing here names anyone: platform ids of the channel and the post.
    Goes with its introduction, and so with its workspace.
    """

    __tablename__ = "intro_post"
    __table_args__ = (
        Index("ix_intro_post_introduction", "introduction_id"),
        Index("ix_intro_post_retract_at", "retract_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(
        sa_column=Column(Integer, ForeignKey("introduction.id", ondelete="CASCADE"), nullable=False)
    )
    channel_id: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str = Field(sa_column=Column(Text, nullable=False))
    people: int
    retract_at: datetime | None = None
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # When the platform first refused for good to edit or delete it (``ports.RefusedForGood``):
    # logged that once, then tried weekly; ``None`` again once an edit goes through (migration
    # 0048).
    refused_at: datetime | None = Field(default=None)
