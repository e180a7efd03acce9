"""Queries on the open questions the bot posted (``question_tables.OpenQuestion``).

A question is kept before it is posted, under the asker's held row, so a second click of the same
button (or a platform's retry of it) finds the first and posts nothing; a question whose post
then fails is dropped again, since nobody saw it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .question_tables import OpenQuestion


def _same(person_id: int, channel_pk: int, text: str, since: datetime) -> ColumnElement[bool]:
    return and_(
        col(OpenQuestion.person_id) == person_id,
        col(OpenQuestion.channel_pk) == channel_pk,
        col(OpenQuestion.text) == text,
        col(OpenQuestion.asked_at) >= since,
    )


async def asked_since(
    session: AsyncSession, *, person_id: int, channel_pk: int, text: str, since: datetime
) -> bool:
    """Whether this person's question ``text`` went to that channel at ``since`` or later."""
    found = await session.exec(
        select(OpenQuestion.id).where(_same(person_id, channel_pk, text, since))
    )
    return found.first() is not None


async def drop_since(
    session: AsyncSession, *, person_id: int, channel_pk: int, text: str, since: datetime
) -> None:
    """Forget that question, kept at ``since`` or later, whose post never went out."""
    rows = await session.exec(select(OpenQuestion).where(_same(person_id, channel_pk, text, since)))
    for row in rows.all():
        await session.delete(row)
