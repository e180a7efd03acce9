"""narrations: an older version's edit no longer leaves its old CJK words in the index

Revision ID: 0052_search_text_older_edits
Revises: 0051_question_nudge_retries
Create Date: 2026-11-24

A version from before 0050 edits a narration's ``text`` and leaves its ``search_text``, whose
pairs are the old words: both engines' index reads coalesce(search_text, text), so it kept them,
and who-knows named the author for words they had edited out. From here on such an edit clears
``search_text`` (``fulltext.SEARCH_TEXT_STALE``: SQLite's update trigger is split in two,
PostgreSQL gets a BEFORE UPDATE trigger), and ``old_writes`` refills it at the next start.
Narrations an older version edited before this migration get their ``search_text`` recomputed
from their text (read in batches by id; on SQLite the update trigger re-indexes them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage import fulltext

revision: str = "0052_search_text_older_edits"
down_revision: str | None = "0051_question_nudge_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _recompute_search_text() -> None:
    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, text, search_text FROM narration WHERE id > :after ORDER BY id LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return
        changed = [
            {"id": row.id, "indexed": indexed}
            for row in rows
            if (indexed := index_text(row.text)) != row.search_text
        ]
        if changed:
            bind.execute(
                sa.text("UPDATE narration SET search_text = :indexed WHERE id = :id"), changed
            )
        after = rows[-1].id


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        statements = (
            *fulltext.SQLITE_STALE_SEARCH_TEXT_DROP,
            *fulltext.SQLITE_STALE_SEARCH_TEXT_TRIGGERS,
        )
    else:
        statements = fulltext.PG_STALE_SEARCH_TEXT_DDL
    for statement in statements:
        op.execute(statement)
    _recompute_search_text()


def downgrade() -> None:
    """0050's triggers again (``search_text`` is kept: 0050 still reads it)."""
    if op.get_bind().dialect.name == "sqlite":
        statements = (
            *fulltext.SQLITE_STALE_SEARCH_TEXT_DROP,
            fulltext.SQLITE_SEARCH_TEXT_UPDATE_TRIGGER,
        )
    else:
        statements = fulltext.PG_STALE_SEARCH_TEXT_DROP
    for statement in statements:
        op.execute(statement)
