"""Per-person topic preferences: topics someone is happy to be asked about, or wants to be left
out of. Kept apart from ``tables`` so the who-knows product owns its schema in one place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

ASK_ME = "ask"  # /narrate ask-me-about: a boost in answers, shown as such
HIDE_ME = "hide"  # /narrate hide-me: never named in answers (or the topic map) for this topic
FOLLOW = "follow"  # /narrate follow: a weekly DM of new narrations about it (follow_digest)


class TopicPreference(SQLModel, table=True):
    """One declared or hidden topic of one person.

    ``topic`` is what they typed (shown back to them); ``topic_key`` is its normalized form
    (``knowledge.topic_match.topic_key``: sorted stems), unique per person and kind so declaring
    it twice is one row, and indexed so a question only loads rows that can match it. A change
    to the normalizer therefore needs a data migration recomputing the keys.
    """

    __tablename__ = "topic_preference"
    __table_args__ = (Index("ix_topic_preference_tenant_key", "tenant_id", "topic_key"),)

    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    )
    kind: str = Field(sa_column=Column(String(8), primary_key=True))
    topic_key: str = Field(sa_column=Column(String(200), primary_key=True))
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    topic: str = Field(max_length=64)
    created_at: datetime
