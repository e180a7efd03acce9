"""narrations: Chinese, Japanese and Korean text is indexed as pairs of characters (``search_text``)

Revision ID: 0050_cjk_search_text
Revises: 0049_digest_line_refusals
Create Date: 2026-11-24

Both full-text engines split text on spaces and punctuation, and Chinese, Japanese and Korean
put no spaces between words: "今天修复了支付系统的bug" was one token, so "who knows about 支付?"
found nobody. ``narration.search_text`` holds the text the index reads instead, each run of
those scripts written as its overlapping pairs ("支付 付系 系统"), and stays NULL for any other
text, whose tokens don't change. SQLite's full-text triggers and PostgreSQL's generated
``text_tsv`` column read ``coalesce(search_text, text)`` from here on; narrations kept before
are re-indexed: those with such text get their ``search_text``, read in batches by id.

PostgreSQL's generated column can't change its expression in place before version 17: it is
dropped and added again with its GIN index (one rewrite of ``narration``), then analyzed, since
the search reads the column's statistics to choose how to read a word's matches.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage import fulltext

revision: str = "0050_cjk_search_text"
down_revision: str | None = "0049_digest_line_refusals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _fill_search_text() -> None:
    """Every narration with CJK text gets its ``search_text`` (on SQLite the new update trigger
    takes the old tokens out of the index and puts the pairs in)."""
    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, text FROM narration WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return
        changed = [
            {"id": row.id, "indexed": indexed}
            for row in rows
            if (indexed := index_text(row.text)) is not None
        ]
        if changed:
            bind.execute(
                sa.text("UPDATE narration SET search_text = :indexed WHERE id = :id"), changed
            )
        after = rows[-1].id


def upgrade() -> None:
    op.add_column("narration", sa.Column("search_text", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for statement in (*fulltext.SQLITE_TRIGGER_DROP, *fulltext.SQLITE_SEARCH_TEXT_TRIGGERS):
            op.execute(statement)
        _fill_search_text()
        return
    _fill_search_text()
    for statement in (*fulltext.PG_TSV_DROP, *fulltext.PG_TSV_SEARCH_TEXT_DDL):
        op.execute(statement)
    op.execute("ANALYZE narration")


def downgrade() -> None:
    """The older code's index again: CJK text is one token per run, as before."""
    if op.get_bind().dialect.name == "sqlite":
        # The update trigger puts each such narration's text back in the index.
        op.execute("UPDATE narration SET search_text = NULL WHERE search_text IS NOT NULL")
        for statement in (*fulltext.SQLITE_TRIGGER_DROP, *fulltext.SQLITE_TRIGGERS):
            op.execute(statement)
    else:
        for statement in (*fulltext.PG_TSV_DROP, *fulltext.PG_TSV_DDL):
            op.execute(statement)
    op.drop_column("narration", "search_text")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE narration")
