"""Quoted narrations an older replica edited or unshared (migration 0047), imported by
``tables.py`` so Alembic sees it.

A replica still running older code changes a narration's text, or narrows who may read it,
without touching the followed-topics DMs and who-knows answers quoting it
(``NarrationCopyQuote``). A trigger keeps the narration's text as those messages last quoted it
(``old_text``): the scheduler's repair (``features.narration_copies``) rewrites their lines to
the current words, or removes them where the reader may no longer read it, exactly as this
version's own edit does, and the messages are then edited with the usual back-off. The first
text kept stays (a second edit before the repair leaves it): the lines still quote that one.
This version's edit uses it and clears it in its own transaction. It goes with the narration.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class NarrationCopyEdit(SQLModel, table=True):
    __tablename__ = "narration_copy_edit"

    narration_id: int = Field(
        sa_column=Column(Integer, ForeignKey("narration.id", ondelete="CASCADE"), primary_key=True)
    )
    old_text: str = Field(sa_column=Column(Text, nullable=False))
