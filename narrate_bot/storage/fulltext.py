"""The full-text index, per engine: FTS5 on SQLite, a stored tsvector column on PostgreSQL.

FTS5 comes from the initial migration; PostgreSQL's generated ``text_tsv`` column and its GIN
index from ``0007_pg_tsvector`` (which replaced the initial expression index). Alembic's
autogenerate cannot see them, so ``migrations/env.py`` leaves them alone. This module holds the
dialect-specific SQL the rest of storage needs: matching a query, and telling whether a token is
still in the index (scrubbing deleted text out of SQLite's index is ``index_scrub``).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Float,
    Integer,
    Subquery,
    Text,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.words import SearchTerm, has_cjk

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
# The initial migration's expression index (0007 replaces it with the stored column below).
PG_DDL = (
    "CREATE INDEX ix_narration_text_tsv ON narration "
    f"USING gin (to_tsvector('{PG_TEXT_CONFIG}', text))",
)
PG_DROP = ("DROP INDEX IF EXISTS ix_narration_text_tsv",)

PG_TSV_COLUMN = "text_tsv"
PG_TSV_INDEX = "ix_narration_text_tsv_gin"
PG_TSV_DDL = (
    f"ALTER TABLE narration ADD COLUMN {PG_TSV_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{PG_TEXT_CONFIG}'::regconfig, text)) STORED",
    f"CREATE INDEX {PG_TSV_INDEX} ON narration USING gin ({PG_TSV_COLUMN})",
)
PG_TSV_DROP = (
    f"DROP INDEX IF EXISTS {PG_TSV_INDEX}",
    f"ALTER TABLE narration DROP COLUMN IF EXISTS {PG_TSV_COLUMN}",
)

# Since 0050 the index reads a narration's ``search_text`` where it has one (its Chinese,
# Japanese or Korean runs written as pairs, ``words.index_text``), else its ``text``: any other
# text gives the same tokens as before. On SQLite the triggers write it; on PostgreSQL the
# generated column is parsed from it. (0001's triggers and 0007's column read ``text``.)
INDEXED_TEXT = "coalesce({row}.search_text, {row}.text)"
SQLITE_TRIGGERS = SQLITE_DDL[2:]  # 0001's
SQLITE_TRIGGER_DROP = SQLITE_DROP[:3]
SQLITE_SEARCH_TEXT_TRIGGERS = (
    f"""CREATE TRIGGER narration_fts_ai AFTER INSERT ON narration BEGIN
        INSERT INTO {FTS_TABLE}(rowid, text)
        VALUES (new.id, {INDEXED_TEXT.format(row="new")}); END""",
    f"""CREATE TRIGGER narration_fts_ad AFTER DELETE ON narration BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text)
        VALUES ('delete', old.id, {INDEXED_TEXT.format(row="old")}); END""",
    f"""CREATE TRIGGER narration_fts_au AFTER UPDATE OF text, search_text ON narration BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text)
        VALUES ('delete', old.id, {INDEXED_TEXT.format(row="old")});
        INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, {INDEXED_TEXT.format(row="new")});
        END""",
)
PG_TSV_SEARCH_TEXT_DDL = (
    f"ALTER TABLE narration ADD COLUMN {PG_TSV_COLUMN} tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('{PG_TEXT_CONFIG}'::regconfig, {INDEXED_TEXT.format(row='narration')})) "
    "STORED",
    PG_TSV_DDL[1],
)

# An older version (before 0050) edits ``text`` and leaves ``search_text``, whose pairs are the
# old words: the index would keep them (both engines read coalesce(search_text, text)). Since
# 0051 such an edit clears ``search_text`` (``old_writes`` refills it at the next start). On
# SQLite the update trigger splits: in that case it only clears the column, and that update
# (other triggers still fire: ``recursive_triggers`` is off, which only stops a trigger firing
# itself) goes through the other one, which takes the stale pairs out and puts the new text in,
# so no two triggers take the same tokens out of the external-content index. On PostgreSQL a
# BEFORE trigger clears it, before the generated column is computed.
SEARCH_TEXT_STALE = (
    "new.text IS NOT old.text AND new.search_text IS old.search_text "
    "AND new.search_text IS NOT NULL"
)
SQLITE_STALE_SEARCH_TEXT_TRIGGERS = (
    f"""CREATE TRIGGER narration_fts_au AFTER UPDATE OF text, search_text ON narration
        WHEN NOT ({SEARCH_TEXT_STALE}) BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text)
        VALUES ('delete', old.id, {INDEXED_TEXT.format(row="old")});
        INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, {INDEXED_TEXT.format(row="new")});
        END""",
    f"""CREATE TRIGGER narration_fts_au_stale AFTER UPDATE OF text ON narration
        WHEN {SEARCH_TEXT_STALE} BEGIN
        UPDATE narration SET search_text = NULL WHERE id = new.id; END""",
)
SQLITE_STALE_SEARCH_TEXT_DROP = (
    "DROP TRIGGER IF EXISTS narration_fts_au_stale",
    "DROP TRIGGER IF EXISTS narration_fts_au",
)
SQLITE_SEARCH_TEXT_UPDATE_TRIGGER = SQLITE_SEARCH_TEXT_TRIGGERS[2]  # 0050's
PG_STALE_SEARCH_TEXT_DDL = (
    """CREATE FUNCTION narration_search_text_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.text IS DISTINCT FROM OLD.text
            AND NEW.search_text IS NOT DISTINCT FROM OLD.search_text THEN
            NEW.search_text := NULL;
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER narration_search_text_stale BEFORE UPDATE OF text ON narration
    FOR EACH ROW EXECUTE FUNCTION narration_search_text_stale()""",
)
PG_STALE_SEARCH_TEXT_DROP = (
    "DROP TRIGGER IF EXISTS narration_search_text_stale ON narration",
    "DROP FUNCTION IF EXISTS narration_search_text_stale()",
)

# A block-range index of narrations by date (0008): a window's step of a year or more
# intersects the term's GIN matches with a few hundred page ranges, not a bitmap of every row
# of that year from the (tenant, created_at) B-tree. Narrations are appended in time order, so
# page ranges follow dates; where they don't (the planner sees the correlation), it isn't used.
PG_DATE_BRIN = "ix_narration_created_brin"
PG_DATE_BRIN_DDL = (f"CREATE INDEX {PG_DATE_BRIN} ON narration USING brin (tenant_id, created_at)",)
PG_DATE_BRIN_DROP = (f"DROP INDEX IF EXISTS {PG_DATE_BRIN}",)

MANAGED_NAMES = frozenset(
    {FTS_TABLE, FTS_VOCAB, "ix_narration_text_tsv", PG_TSV_COLUMN, PG_TSV_INDEX, PG_DATE_BRIN}
)


def searchable(term: SearchTerm) -> bool:
    return bool(term.words) and all(word.isalnum() for word in term.words)


def _fts5_query(term: SearchTerm) -> str:
    """A word, or a phrase of a path's words (FTS5 phrases match consecutive tokens)."""
    return '"' + " ".join(term.words) + '"'


def sqlite_recent_matches(term: SearchTerm, window: int, *, key: int = 0) -> Subquery:
    """The ``window`` most recent narrations matching ``term``, newest first.

    FTS5 walks a term's doclist in rowid order, backwards on request, and stops at the limit: a
    word found in every narration costs no more than a rare one. Row ids grow with time.
    """
    matches = (
        select(fts.c.rowid.label("id"))
        .where(
            text(f"{FTS_TABLE} MATCH :fts_query_{key}").bindparams(
                **{f"fts_query_{key}": _fts5_query(term)}
            )
        )
        .order_by(fts.c.rowid.desc())
        .limit(window)
    )
    return matches.subquery(f"fts_recent_{key}")


def pg_tsquery(term: SearchTerm) -> str:
    """PostgreSQL's parser keeps a path like ``a/b/c`` as one ``file`` token, so a path term
    matches either that token or the phrase of its words. A CJK word is only ever indexed as
    its pairs (``words.index_text``), never whole."""
    phrase = " <-> ".join(term.words)
    if (
        term.path
        and all(ch.isalnum() or ch in "/._-" for ch in term.path)
        and not has_cjk(term.path)
    ):
        return f"'{term.path}' | ({phrase})"
    return phrase


def pg_asked_terms(common_share: float, rare_rows: int, *, spelled: bool = False) -> Subquery:
    """The question's terms (bound as the array ``pg_queries`` of ``pg_tsquery`` strings): each
    one's index ``term`` (from 0), its parsed ``tsquery``, and how common it is, from ANALYZE's
    statistics of the stored column (its most common lexemes, each with the share of narrations
    holding it, down to a cutoff share): ``common`` for a single lexeme in at least
    ``common_share`` of them; ``rare`` for a single lexeme below the cutoff when the cutoff
    means at most ``rare_rows`` narrations (or there are no statistics yet). A guess that only
    picks how to read a window, never what it holds. (``OFFSET 0`` keeps each level a
    subquery, so each query is parsed once, not once per row read; the statistics' lexemes are
    quoted once per question and each term's is found with ``array_position``, instead of
    re-parsing the term for each of the ~1,000 lexemes, which took ~2 ms per statement.)
    ``spelled`` adds each term's ``spelled`` pattern, from the array ``pg_spelled`` (NULL for a
    term with none).
    """
    spelled_column = ", spelled" if spelled else ""
    spelled_value = ", (CAST(:pg_spelled AS text[]))[asked.ordinal] AS spelled" if spelled else ""
    config = f"'{PG_TEXT_CONFIG}'::regconfig"
    statement = text(
        f"""SELECT term, tsquery{spelled_column},
            numnode(tsquery) = 1 AND share >= :pg_common_share AS common,
            numnode(tsquery) = 1 AND share = 0 AND below <= :pg_rare_rows AS rare
        FROM (SELECT parsed.term, parsed.tsquery{spelled_column.replace(" ", " parsed.")},
            coalesce(st.shares[array_position(st.quoted, querytree(parsed.tsquery))], 0) AS share,
            coalesce(st.cutoff * st.reltuples, 0) AS below
            FROM (SELECT asked.ordinal - 1 AS term,
                to_tsquery({config}, asked.query) AS tsquery{spelled_value}
                FROM unnest(CAST(:pg_queries AS text[])) WITH ORDINALITY AS asked(query, ordinal)
                OFFSET 0) AS parsed
            LEFT JOIN (SELECT ARRAY(SELECT quote_literal(mce.lexeme)
                    FROM unnest(s.most_common_elems::text::text[]) WITH ORDINALITY
                        AS mce(lexeme, position)
                    ORDER BY mce.position) AS quoted,
                    s.most_common_elem_freqs AS shares, c.reltuples,
                    s.most_common_elem_freqs[array_length(s.most_common_elems, 1) + 1] AS cutoff
                FROM pg_stats AS s JOIN pg_class AS c ON c.oid = to_regclass('narration')
                WHERE s.schemaname = current_schema() AND s.tablename = 'narration'
                AND s.attname = '{PG_TSV_COLUMN}') AS st ON true
            OFFSET 0) AS shares
        OFFSET 0"""
    ).bindparams(
        bindparam("pg_queries", type_=ARRAY(Text)),
        bindparam("pg_common_share", common_share, type_=Float),
        bindparam("pg_rare_rows", rare_rows, type_=Integer),
        *([bindparam("pg_spelled", type_=ARRAY(Text))] if spelled else []),
    )
    return statement.columns(
        column("term", Integer),
        column("tsquery", TSQUERY),
        *([column("spelled", Text)] if spelled else []),
        column("common", Boolean),
        column("rare", Boolean),
    ).subquery("q")


def pg_matches(tsquery: ColumnElement[Any], *, indexed: bool = True) -> ColumnElement[bool]:
    """The stored vector matches ``tsquery``: the GIN index answers it, and a recheck reads the
    parsed vector, never re-parsing a narration's text. ``indexed=False`` spells the same test
    as a function call, which the planner cannot answer from the GIN index: for checking rows
    read in date order."""
    vector: ColumnElement[Any] = literal_column(f"narration.{PG_TSV_COLUMN}")
    if not indexed:
        return cast(ColumnElement[bool], func.ts_match_vq(vector, tsquery))
    clause: ColumnElement[bool] = vector.op("@@")(tsquery)
    return clause


async def index_has_token(session: AsyncSession, dialect: str, token: str) -> bool:
    """Whether ``token`` (as the index stems it) is present in the index itself, not via joins."""
    connection = await session.connection()
    if dialect == "sqlite":
        row = await connection.execute(
            text(f"SELECT count(*) FROM {FTS_VOCAB} WHERE term = :t").bindparams(t=token)
        )
        return bool(row.scalar_one())
    # The stored vectors' lexemes themselves (ts_stat reads every vector; no match, no join).
    row = await connection.execute(
        text(
            f"SELECT count(*) FROM ts_stat('SELECT {PG_TSV_COLUMN} FROM narration') WHERE word = :t"
        ).bindparams(t=token)
    )
    return bool(row.scalar_one())
