"""Questions the bot posted to the open-questions channel (``/narrate ask-channel``), imported by
``tables.py`` so Alembic sees them.

Kept so the weekly digest can list the week's open questions: they are not narrations (they say
nothing about what the asker knows), so they never reach answers, topics or introductions. A row
holds only what was posted (the cleaned question, who asked, where it went) and cascades from
the asker's person row, so forget-me takes it with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel


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
