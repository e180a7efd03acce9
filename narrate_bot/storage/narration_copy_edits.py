"""Queries on quoted narrations an older replica edited or unshared (``NarrationCopyEdit``,
migration 0047): the text their quotes still show, kept by a trigger until the scheduler's
repair, or this version's next edit, has rewritten the lines."""

from __future__ import annotations

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .copy_edit_tables import NarrationCopyEdit


async def quoted_text(session: AsyncSession, *, narration_id: int) -> str | None:
    """The text this narration's quotes show, when an older replica changed it since (``None``:
    they show its text as it is)."""
    found = await session.exec(
        select(NarrationCopyEdit.old_text).where(
            col(NarrationCopyEdit.narration_id) == narration_id
        )
    )
    return found.first()


async def clear(session: AsyncSession, *, narration_id: int, only_if: str | None = None) -> bool:
    """The quotes of this narration are dealt with (``only_if``: unless the text kept is not
    that one, when the lines still show an older text); whether a row went."""
    query = delete(NarrationCopyEdit).where(col(NarrationCopyEdit.narration_id) == narration_id)
    if only_if is not None:
        query = query.where(col(NarrationCopyEdit.old_text) == only_if)
    gone = await session.exec(query)
    return bool(gone.rowcount)


async def pending(session: AsyncSession, *, limit: int) -> list[tuple[int, str]]:
    """Narrations whose quotes an older replica's change left behind: (id, text they show). A
    read of the table's primary key (empty but for an older replica's edits)."""
    rows = await session.exec(
        select(NarrationCopyEdit).order_by(col(NarrationCopyEdit.narration_id)).limit(limit)
    )
    return [(row.narration_id, row.old_text) for row in rows.all()]
