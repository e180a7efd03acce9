"""What the platform last said of a stored place it no longer lists (``place_lookups``),
imported by ``tables.py`` so Alembic sees the table.

Discord sends a server's channels when the bot connects; a stored place missing from them is
looked up to learn whether it was deleted while no process ran. The answer is kept here so a
restart doesn't ask again: "gone" (Discord reuses no id) for good, "refused" (the bot may not
see it) until the bot's access in the server changes or the answer is old. Nothing here names
anyone: the channel's row and when it was asked. It goes with its channel, and that with its
workspace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel


class PlaceLookup(SQLModel, table=True):
    __tablename__ = "place_lookup"

    channel_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True)
    )
    outcome: str = Field(sa_column=Column(String(16), nullable=False))  # gone | refused
    looked_at: datetime
