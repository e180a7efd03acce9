"""The full-text index, per engine: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Both are created by the initial migration (Alembic's autogenerate cannot see them, so
``migrations/env.py`` leaves them alone). This module holds the dialect-specific SQL the rest of
storage needs: matching a query, and scrubbing deleted text out of the index.
"""

from __future__ import annotations

from sqlalchemy import (
    CTE,
    ColumnElement,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from .tables import Narration

FTS_TABLE = "narration_fts"
FTS_VOCAB = "narration_fts_vocab"
PG_TEXT_CONFIG = "english"

fts = table(FTS_TABLE, column("rowid"), column("text"))

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "text, content='narration', content_rowid='id', tokenize='porter unicode61')",
    f"CREATE VIRTUAL TABLE {FTS_VOCAB} USING fts5vocab({FTS_TABLE}, 'row')",
    f"""CREATE TRIGGER narration_fts_ai AFTER INSERT ON narration BEGIN
        INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END""",
    f"""CREATE TRIGGER narration_fts_ad AFTER DELETE ON narration BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text)
        VALUES ('delete', old.id, old.text); END""",
    f"""CREATE TRIGGER narration_fts_au AFTER UPDATE OF text ON narration BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS narration_fts_au",
    "DROP TRIGGER IF EXISTS narration_fts_ad",
    "DROP TRIGGER IF EXISTS narration_fts_ai",
    f"DROP TABLE IF EXISTS {FTS_VOCAB}",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
PG_DDL = (
    "CREATE INDEX ix_narration_text_tsv ON narration "
    f"USING gin (to_tsvector('{PG_TEXT_CONFIG}', text))",
)
PG_DROP = ("DROP INDEX IF EXISTS ix_narration_text_tsv",)

MANAGED_NAMES = frozenset({FTS_TABLE, FTS_VOCAB, "ix_narration_text_tsv"})


def _quoted(terms: list[str]) -> list[str]:
    return ['"' + term.replace('"', "") + '"' for term in terms if term]


def sqlite_matches(terms: list[str]) -> CTE:
    """Every narration matching any of ``terms``, with its relevance (bigger is better).

    Materialized on purpose: joined directly, SQLite's planner walks ``narration`` first and
    re-runs the full-text query for every row (measured: ~200 ms a question on 1,670 rows).
    """
    query = " OR ".join(_quoted(terms))
    # bm25() is negative, smaller is better: flip it so every engine ranks "bigger is better".
    matches = select(
        fts.c.rowid.label("id"), (-literal_column(f"bm25({FTS_TABLE})")).label("score")
    ).where(text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=query))
    return matches.cte("fts_match").prefix_with("MATERIALIZED")


def pg_match(terms: list[str]) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """The same for PostgreSQL; the vector expression matches the GIN index's exactly."""
    query = " | ".join(term for term in terms if term.isalnum())
    config: ColumnElement[str] = literal_column(f"'{PG_TEXT_CONFIG}'::regconfig")
    vector = func.to_tsvector(config, col(Narration.text))
    tsquery = func.to_tsquery(config, bindparam("pg_query", value=query))
    clause: ColumnElement[bool] = vector.op("@@")(tsquery)
    score: ColumnElement[float] = func.ts_rank_cd(vector, tsquery, 1)
    return clause, score


async def scrub(session: AsyncSession, dialect: str) -> None:
    """Make deleted narrations' tokens unrecoverable from the index.

    SQLite before 3.42 has no FTS5 ``secure-delete``: a deleted row's tokens stay in old index
    segments until they merge. ``optimize`` merges every segment now, dropping them, and
    ``secure_delete=ON`` (set per connection) zeroes the freed pages. On PostgreSQL the index entry
    goes with the row; dead tuples wait for (auto)vacuum, as documented in the README.
    """
    if dialect == "sqlite":
        connection = await session.connection()
        await connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))


async def index_has_token(session: AsyncSession, dialect: str, token: str) -> bool:
    """Whether ``token`` (as the index stems it) is present in the index itself, not via joins."""
    connection = await session.connection()
    if dialect == "sqlite":
        row = await connection.execute(
            text(f"SELECT count(*) FROM {FTS_VOCAB} WHERE term = :t").bindparams(t=token)
        )
        return bool(row.scalar_one())
    row = await connection.execute(
        text(
            "SELECT count(*) FROM narration WHERE "
            f"to_tsvector('{PG_TEXT_CONFIG}', text) @@ to_tsquery('{PG_TEXT_CONFIG}', :t)"
        ).bindparams(t=token)
    )
    return bool(row.scalar_one())
