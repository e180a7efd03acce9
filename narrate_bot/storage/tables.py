"""The schema. Changed only through an Alembic migration (``migrations/versions``).

Identity is (tenant, platform user id): the same Slack user id in two workspaces is two people.
Timestamps are tz-aware UTC (sqlmodel refuses naive datetimes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel


class Tenant(SQLModel, table=True):
    __tablename__ = "tenant"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_tenant_platform_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    created_at: datetime


class Person(SQLModel, table=True):
    """Someone we know by a platform user id; enrolled only once they narrate or join."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", name="uq_person_tenant_user"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    team: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    consent: str = Field(default="none", max_length=16)  # none | joined | left
    joined_at: datetime | None = None
    paused_until: datetime | None = None
    # An unconfirmed forget-me, until its window passes (``features.privacy``); indexed for the
    # wake-up that clears the lapsed ones.
    erase_requested_at: datetime | None = Field(default=None, index=True)
    created_at: datetime
    # What the platform said the last time this person did something: a guest, or someone from
    # another organisation. The weekly introductions run without an event, so they read this.
    guest: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # When the platform said the account was deactivated or left (None: here, as far as we know).
    departed_at: datetime | None = None
    # The highest short id (narration ordinal) ever given to this person. Ids are never given
    # twice, even after a delete: an old "/narrate share 2" button must not act on a newer one.
    last_ordinal: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )


class Channel(SQLModel, table=True):
    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("tenant_id", "channel_id", name="uq_channel_tenant_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    channel_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    kind: str = Field(default="public", max_length=16)  # public | private | direct
    # Read by people outside the workspace too (Slack Connect): scheduled posts there may only
    # carry what was written in the channel itself.
    shared: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # Archived on the platform: nothing can be posted there until it is unarchived.
    archived: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # The bot was removed from it (and not added back since): it can't post there, and of a
    # private channel it no longer knows the readers.
    bot_left: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


class ChannelMember(SQLModel, table=True):
    """Who can read a private channel or DM, by platform user id (enrolled or not)."""

    __tablename__ = "channel_member"

    channel_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: str = Field(sa_column=Column(String(64), primary_key=True))


class Narration(SQLModel, table=True):
    __tablename__ = "narration"
    __table_args__ = (
        UniqueConstraint("person_id", "ordinal", name="uq_narration_person_ordinal"),
        Index("ix_narration_tenant_created", "tenant_id", "created_at"),
        Index("ix_narration_person_created", "person_id", "created_at"),
        # A channel's delete (forget-me's DM with the bot) finds its narrations (0056).
        Index("ix_narration_channel_pk", "channel_pk"),
        # A start finds the narrations indexed by other rules than its own (0061).
        Index("ix_narration_index_rules", "index_rules", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False)
    )
    channel_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), nullable=False)
    )
    ordinal: int  # the short id people see: their 1st, 2nd, … narration
    source: str = Field(max_length=16)
    audience: str = Field(default="channel", max_length=16)
    # What ``audience`` was before ``share``, so ``unshare`` gives exactly that back (migration
    # 0016); None when never shared, or shared before the column existed.
    audience_before_sharing: str | None = Field(default=None, max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # What the full-text index reads instead of ``text`` when they differ: the text with each
    # run of Chinese, Japanese or Korean characters written as its pairs (migration 0050,
    # ``knowledge.words.index_text``). None for any other text. Written with ``text``, never
    # shown: answers and exports show ``text``.
    search_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The version of ``index_text``'s rules that wrote ``search_text`` (``old_writes.INDEX_RULES``,
    # migration 0061); 0 when unknown: written by a version before 0061 (its insert gets the
    # default, a trigger sets its edit back to 0) or not by ``add_narration``/``edit_narration``.
    # Each start re-indexes the rows below its own rules and marks them.
    index_rules: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    created_at: datetime
    edited_at: datetime | None = None
    link: str | None = Field(default=None, max_length=500)  # the platform's permalink, if any
    # The schedule whose prompt's "Write my update" form it came from (migration 0027): only
    # the same prompt's form sent again is taken for a repeat of it.
    prompt_schedule_id: int | None = None


class NarrationTopic(SQLModel, table=True):
    __tablename__ = "narration_topic"
    __table_args__ = (Index("ix_narration_topic_topic", "topic"),)

    narration_id: int = Field(
        sa_column=Column(Integer, ForeignKey("narration.id", ondelete="CASCADE"), primary_key=True)
    )
    topic: str = Field(sa_column=Column(String(64), primary_key=True))


class TenantSetting(SQLModel, table=True):
    """A workspace-wide choice (open-questions channel, introductions channel, time zone, …).

    Key/value so each feature can own its keys without a migration per setting; the keys are
    named constants in the feature that reads them.
    """

    __tablename__ = "tenant_setting"

    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    )
    key: str = Field(sa_column=Column(String(64), primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime


# Messages the bot posted that quote narrations (the followed-topics DM), to follow their edits.
from .copy_edit_tables import NarrationCopyEdit  # noqa: E402, F401
from .copy_tables import NarrationCopy, NarrationCopyGone, NarrationCopyQuote  # noqa: E402, F401

# The weekly channel digest's copies of open questions, to take them back out of its thread.
from .digest_copy_tables import (  # noqa: E402, F401
    DigestQuestion,
    DigestQuestionGone,
    DigestThread,
)

# The erasure key's check value for the whole database (``erasure_key``).
from .erasure_key_tables import ErasureKeyCheck as ErasureKeyCheck  # noqa: E402

# Weekly digests of followed topics: one claim per person and week.
from .follow_tables import FollowDigest as FollowDigest  # noqa: E402
from .follow_tables import FollowSchedule as FollowSchedule  # noqa: E402

# The weekly introductions' tables live in their own module; importing them here registers
# them with the metadata Alembic compares against.
from .intro_tables import (  # noqa: E402, F401
    IntroAskedTopic,
    Introduction,
    IntroFeedback,
    IntroMember,
    IntroNeverPair,
    IntroParticipant,
    IntroRound,
)

# Where each person last used the bot, for pointers when their DMs are closed (``last_places``).
from .last_place_tables import LastPlace as LastPlace  # noqa: E402

# Where a form update's post is, once its narration went without it (kept by a trigger).
from .orphan_post_tables import UpdatePostOrphan as UpdatePostOrphan  # noqa: E402

# Button commands too long for the button, kept under a key (``pending_actions``).
from .pending_action_tables import PendingAction as PendingAction  # noqa: E402

# What the platform said of a stored place it no longer lists (``place_lookups``).
from .place_lookup_tables import PlaceLookup as PlaceLookup  # noqa: E402

# Platform plumbing (installations, event dedupe) lives in its own module; imported here so
# Alembic and the test schema see it.
from .platform_store import Installation, SeenEvent  # noqa: E402, F401

# Tables owned by one feature live in their own module; importing them here registers them.
from .preference_tables import TopicPreference as TopicPreference  # noqa: E402
from .question_tables import OpenQuestion as OpenQuestion  # noqa: E402
from .question_tables import QuestionCredit as QuestionCredit  # noqa: E402

# Scheduling (docs/adr/0007) keeps its tables in their own module; importing it registers them.
from .schedule_tables import Schedule, ScheduleSend, ScheduleSkip  # noqa: E402, F401

# Form updates posted in their prompt's thread (where, to edit or delete the post).
from .update_post_tables import UpdatePost as UpdatePost  # noqa: E402

# Who-knows answers and whether they helped (an outcome for /narrate stats).
from .who_knows_tables import WhoKnowsAnswer as WhoKnowsAnswer  # noqa: E402
