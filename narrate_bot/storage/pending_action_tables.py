"""Button commands kept under a key (``pending_actions``), imported by ``tables.py`` so Alembic
sees the table.

A row holds the command a button runs (for "Keep as a narration", the person's words), who may
click it (their platform user id, so their export shows it and forget-me erases it whether or
not they ever took part; ``""`` for a button posted in a channel, anyone who sees it) and when
it was kept (for its expiry). It goes with its workspace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel


class PendingAction(SQLModel, table=True):
    """One button's command, kept under ``key`` in its workspace."""

    __tablename__ = "pending_action"
    __table_args__ = (
        Index("ix_pending_action_created_at", "created_at"),
        Index("ix_pending_action_user", "tenant_id", "user_id"),
    )

    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    )
    key: str = Field(sa_column=Column(String(32), primary_key=True))
    user_id: str = Field(sa_column=Column(String(64), nullable=False))
    command: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
