"""narrations: which indexing rules wrote ``search_text``, so a start re-indexes only the rest

Revision ID: 0061_narration_index_rules
Revises: 0060_erasure_key_check
Create Date: 2026-11-25

Each start (``old_writes.repair``) looked for narrations an older version indexed by its own
rules by reading every narration: 80–120 s at 1,000,000 on SQLite, holding the write lock. Now
``narration.index_rules`` says which version of ``words.index_text``'s rules wrote the row
(``old_writes.INDEX_RULES``), 0 when it isn't known, and the start reads only the rows below
the version it runs, through ``ix_narration_index_rules`` (a seek that finds nothing on a
database this version wrote):

* a narration an older version inserts gets the column's default, 0: it doesn't know the
  column;
* its edit (``text`` or ``search_text`` changed) is set back to 0 by a trigger, since it
  doesn't know the column either: AFTER UPDATE on SQLite (an ``UPDATE`` of ``index_rules``
  alone, which fires none of the full-text triggers), BEFORE UPDATE on PostgreSQL. The trigger
  can't tell this version's edit from an older one's, so this version's own edit (and the
  repair's write) states its rules in a second statement of the same transaction;
* a version from this one on writes its own ``INDEX_RULES``: a replica still on lower rules
  leaves rows the next start of higher rules re-indexes.

Every narration starts at 0 here: the first start after this revision reads each once (as every
start did before) and marks it; later starts read only what was written by other rules since.

Downgrading drops the trigger, the index and the column: the older code walks every narration
at each start again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0061_narration_index_rules"
down_revision: str | None = "0060_erasure_key_check"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
CHANGED_SQLITE = "new.text IS NOT old.text OR new.search_text IS NOT old.search_text"
CHANGED_PG = (
    "NEW.text IS DISTINCT FROM OLD.text OR NEW.search_text IS DISTINCT FROM OLD.search_text"
)
SQLITE_UP = (
    "CREATE TRIGGER narration_index_rules_unknown AFTER UPDATE OF text, search_text"
    f" ON narration WHEN {CHANGED_SQLITE} BEGIN"
    " UPDATE narration SET index_rules = 0 WHERE id = new.id; END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS narration_index_rules_unknown",)
PG_UP = (
    "CREATE FUNCTION narration_index_rules_unknown() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN NEW.index_rules := 0; RETURN NEW; END $$",
    "CREATE TRIGGER narration_index_rules_unknown BEFORE UPDATE OF text, search_text"
    f" ON narration FOR EACH ROW WHEN ({CHANGED_PG})"
    " EXECUTE FUNCTION narration_index_rules_unknown()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS narration_index_rules_unknown ON narration",
    "DROP FUNCTION IF EXISTS narration_index_rules_unknown()",
)


def upgrade() -> None:
    op.add_column(
        "narration",
        sa.Column("index_rules", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_narration_index_rules", "narration", ["index_rules", "id"])
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)


def downgrade() -> None:
    """The older code doesn't know the column: it walks every narration at each start."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
    op.drop_index("ix_narration_index_rules", table_name="narration")
    op.drop_column("narration", "index_rules")
