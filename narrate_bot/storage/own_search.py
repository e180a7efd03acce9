"""A person's own narrations, by words and dates (``/narrate mine kafka``, ``mine since …``).

Every narration of theirs is searched, DMs and "Only me" ones included: they are the author's.
Words are matched through the full-text index both engines keep for who-knows (``fulltext``),
so "vacuumed" finds "vacuum" here as it does there; all the words must be in a narration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, text, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.words import index_words, is_cjk
from .fulltext import FTS_TABLE, PG_TEXT_CONFIG, PG_TSV_COLUMN
from .tables import Channel, Narration


@dataclass(frozen=True)
class OwnSearch:
    """What to look for: all of ``words``, written in ``[since, before)`` (either open)."""

    words: Sequence[str] = ()
    since: datetime | None = None
    before: datetime | None = None


def _matching(dialect: str, words: Sequence[str]) -> ColumnElement[bool]:
    if not words:
        return true()
    if dialect == "sqlite":
        # Each word a quoted FTS5 string (words are \w runs: no quote inside), all required; a
        # CJK word the phrase of its pairs, as the index holds it (``words.index_text``).
        query = " AND ".join('"' + " ".join(index_words(word)) + '"' for word in words)
        ids = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :own_words")
        return col(Narration.id).in_(ids.bindparams(own_words=query))
    config: ColumnElement[Any] = literal_column(f"'{PG_TEXT_CONFIG}'::regconfig")
    plain = [word for word in words if not is_cjk(word)]
    queries: list[ColumnElement[Any]] = (
        [func.plainto_tsquery(config, " ".join(plain))] if plain else []
    )
    queries += [
        func.phraseto_tsquery(config, " ".join(index_words(word))) for word in words if is_cjk(word)
    ]
    tsquery = queries[0]
    for more in queries[1:]:
        tsquery = tsquery.op("&&")(more)
    vector: ColumnElement[Any] = literal_column(f"narration.{PG_TSV_COLUMN}")
    matched: ColumnElement[bool] = vector.op("@@")(tsquery)
    return matched


def _conditions(person_id: int, dialect: str, search: OwnSearch) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Narration.person_id) == person_id,
        _matching(dialect, search.words),
        col(Narration.created_at) >= search.since if search.since is not None else true(),
        col(Narration.created_at) < search.before if search.before is not None else true(),
    )


async def own_narrations(
    session: AsyncSession, *, person_id: int, dialect: str, search: OwnSearch, limit: int
) -> tuple[list[tuple[Narration, Channel]], int]:
    """The newest ``limit`` matches, newest first, and how many match in all."""
    where = _conditions(person_id, dialect, search)
    rows = await session.exec(
        select(Narration, Channel)
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(*where)
        .order_by(col(Narration.created_at).desc(), col(Narration.id).desc())
        .limit(limit)
    )
    found = list(rows.all())
    if len(found) < limit:
        return found, len(found)
    total = (await session.exec(select(func.count()).select_from(Narration).where(*where))).one()
    return found, int(total)
