"""Where each person last used the bot, per tenant (``last_places``), imported by
``tables.py`` so Alembic sees the table.

Discord points someone whose DMs are closed to what waits for them with a mention in a
channel: where they last used the bot, if the bot may post there and they may still view it.
Kept in memory only, a restart left the server's system channel as the only place to point in.
It is person data (a user id and a channel they used the bot in): exported and erased with
what else is kept under their user id, and it goes with its workspace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel


class LastPlace(SQLModel, table=True):
    __tablename__ = "last_place"

    tenant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: str = Field(sa_column=Column(String(64), primary_key=True))
    channel_id: str = Field(sa_column=Column(String(64), nullable=False))
    seen_at: datetime
