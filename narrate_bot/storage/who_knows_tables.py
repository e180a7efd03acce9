"""Who-knows answers and whether they helped, imported by ``tables.py`` so Alembic sees them.

Kept to measure an outcome, not activity: ``/narrate stats`` says how many who-knows answers
their askers marked "This helped", out of how many were given, never per person. A row holds
only what that needs: which answer (``token``, which its button carries), whose (the asker's
platform user id, so their export shows it and forget-me erases it, whether or not they ever
took part), when it was given and when its asker said it helped. Neither the question nor the
people suggested are kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class WhoKnowsAnswer(SQLModel, table=True):
    __tablename__ = "who_knows_answer"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token", name="uq_who_knows_answer_token"),
        Index("ix_who_knows_answer_asker", "tenant_id", "asker_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    )
    token: str = Field(sa_column=Column(String(16), nullable=False))
    asker_user_id: str = Field(sa_column=Column(Text, nullable=False))
    asked_at: datetime
    helped_at: datetime | None = None
