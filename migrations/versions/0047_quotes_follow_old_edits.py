"""followed-topics DM quotes and who-knows answers follow an older replica's edits and unshares
(``narration_copy_edit``, a trigger)

Revision ID: 0047_quotes_follow_old_edits
Revises: 0045_question_nudges
Create Date: 2026-11-24

In a rolling deploy a replica still running older code serves ``/narrate edit`` and
``/narrate unshare`` on this schema. Its SQL changes a narration's text, or narrows who may read
it, without touching the messages quoting it (``narration_copy_quote``): the follower's weekly
DM and the who-knows answer kept the old words, or kept quoting it to a reader who may no longer
read it.

``AFTER UPDATE OF text, audience ON narration``, when the text changes or the audience narrows
(from the workspace, or to "only me"), and only for a narration some message quotes: the
narration's text as before the change goes into ``narration_copy_edit``, unless a row is there
already (the lines still quote that first text). ``features.narration_copies`` (the scheduler's
every wake-up) rewrites each line to the current words, or removes it where its reader may no
longer read the narration, as this version's own edit does, and edits the messages with the
usual back-off. This version's edit reads the row (the text its lines show), rewrites them and
deletes the row in its own transaction: the messages are edited once.

The cost: one probe of ``ix_narration_copy_quote_narration`` per narration edited or narrowed.

Downgrading drops the trigger and the table: lines not yet rewritten keep their old words, as
the older code leaves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0047_quotes_follow_old_edits"
down_revision: str | None = "0045_question_nudges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
QUOTED = "EXISTS (SELECT 1 FROM narration_copy_quote WHERE narration_id = {new}.id)"
SQLITE_UP = (
    "CREATE TRIGGER narration_keeps_quoted_text AFTER UPDATE OF text, audience ON narration"
    " WHEN (new.text IS NOT old.text OR (new.audience IS NOT old.audience"
    " AND (old.audience = 'tenant' OR new.audience = 'only_me')))"
    " AND " + QUOTED.format(new="new") + " BEGIN"
    " INSERT OR IGNORE INTO narration_copy_edit (narration_id, old_text)"
    " VALUES (new.id, old.text); END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS narration_keeps_quoted_text",)
# PostgreSQL's WHEN takes no subquery: the function asks whether the narration is quoted.
PG_UP = (
    "CREATE FUNCTION narration_keeps_quoted_text() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO narration_copy_edit (narration_id, old_text)"
    " SELECT NEW.id, OLD.text WHERE " + QUOTED.format(new="NEW") + ""
    " ON CONFLICT (narration_id) DO NOTHING; RETURN NULL; END $$",
    "CREATE TRIGGER narration_keeps_quoted_text AFTER UPDATE OF text, audience ON narration"
    " FOR EACH ROW WHEN (NEW.text IS DISTINCT FROM OLD.text"
    " OR (NEW.audience IS DISTINCT FROM OLD.audience"
    " AND (OLD.audience = 'tenant' OR NEW.audience = 'only_me')))"
    " EXECUTE FUNCTION narration_keeps_quoted_text()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS narration_keeps_quoted_text ON narration",
    "DROP FUNCTION IF EXISTS narration_keeps_quoted_text()",
)


def upgrade() -> None:
    op.create_table(
        "narration_copy_edit",
        sa.Column("narration_id", sa.Integer(), nullable=False),
        sa.Column("old_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["narration_id"], ["narration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("narration_id"),
    )
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)


def downgrade() -> None:
    """The older code keeps no record of the lines an older replica's edits left behind: they
    keep their words."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
    op.drop_table("narration_copy_edit")
