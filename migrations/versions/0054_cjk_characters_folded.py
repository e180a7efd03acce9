"""narrations: CJK text is also indexed by character, and folded to one width (``search_text``)

Revision ID: 0054_cjk_characters_folded
Revises: 0053_update_post_resync_refused
Create Date: 2026-11-24

0050 indexed each run of Chinese, Japanese or Korean as its pairs of characters, so a word of
one character ("锁" in "修复了锁的问题") could not be searched, and halfwidth Katakana ("ｶﾀｶﾅ")
or fullwidth Latin ("ＡＰＩ") was indexed apart from the same word written the usual way.
``words.index_text`` now folds such text (NFKC) and adds every character of its runs after the
text; text with width forms and no CJK gets a ``search_text`` too. Every narration with a
``search_text`` or such a character gets it recomputed (read in batches by id; on SQLite the
update trigger re-indexes it, on PostgreSQL the generated column follows). Other narrations'
tokens don't change. The downgrade writes 0050's ``search_text`` again, with 0050's function
as it was (frozen here: the live one is this revision's).
"""

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from narrate_bot.knowledge.words import INDEXED_CLASS, index_text

revision: str = "0054_cjk_characters_folded"
down_revision: str | None = "0053_update_post_resync_refused"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

# 0050's CJK characters and ``index_text``, as they were before this revision.
_CJK_0050 = (
    "\u1100-\u11ff\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
    "\u3131-\u318e\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3"
    "\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f\uffa0-\uffdc\U00020000-\U0003134f"
)
_RUN_0050 = re.compile(f"[{_CJK_0050}]+")


def _index_text_0050(text: str) -> str | None:
    if text.isascii() or _RUN_0050.search(text) is None:
        return None

    def pairs(run: str) -> str:
        if len(run) < 2:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return _RUN_0050.sub(lambda run: pairs(run.group(0)), text)


def _recompute(indexed: Callable[[str], str | None]) -> None:
    """``search_text`` as ``indexed`` gives it, for every narration that has one or may need
    one (a character of ``INDEXED_CLASS``, matched in SQL); only changed rows are written."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        may_need, pattern = "text GLOB :pattern", f"*{INDEXED_CLASS}*"
    else:
        may_need, pattern = "text ~ :pattern", INDEXED_CLASS
    query = sa.text(
        "SELECT id, text, search_text FROM narration WHERE id > :after"
        f" AND (search_text IS NOT NULL OR {may_need}) ORDER BY id LIMIT :n"
    )
    after = 0
    while rows := bind.execute(query, {"after": after, "n": BATCH, "pattern": pattern}).all():
        changed = [
            {"id": row.id, "indexed": new}
            for row in rows
            if (new := indexed(row.text)) != row.search_text
        ]
        if changed:
            bind.execute(
                sa.text("UPDATE narration SET search_text = :indexed WHERE id = :id"), changed
            )
        after = rows[-1].id
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE narration")  # the search reads the column's statistics


def upgrade() -> None:
    _recompute(index_text)


def downgrade() -> None:
    """0050's index again: pairs only, nothing folded."""
    _recompute(_index_text_0050)
