"""weekly digests' open-question lines follow an older replica's deletes
(``digest_question_gone``, a trigger)

Revision ID: 0040_digest_lines_outlive_old
Revises: 0039_orphan_delete_refusals
Create Date: 2026-11-24

In a rolling deploy a replica still running the code from before 0032 serves ``ask-channel
withdraw`` and forget-me on this schema. It deletes the open question; ``digest_question``
cascades from it; and the channel digest's thread keeps the line naming the asker and quoting
the question ("@zoe is looking for someone who knows about …"), with nothing left to find it by.

``BEFORE DELETE ON open_question`` (a trigger, as in 0030 and 0037: every version's deletes go
through it) copies the question's lines into ``digest_question_gone``, in the delete's own
transaction. ``features.digest_copies`` (the scheduler's every wake-up) takes each line out of
its post (or deletes the post when nothing else is left), forgets the copied lines once the
platform confirms, and otherwise tries again with the repairs' back-off (``retry_at``,
``attempts``). This code's own withdraw and forget-me take the lines out before the question
goes, so the trigger finds none: nothing is done twice. The cost: one probe of
``ix_digest_question_question`` per question deleted.

SQLite drops a table's triggers with the table, and refuses to rename a table while a trigger
names one missing: a later batch rebuild wraps itself in ``triggers_set_aside``.

Downgrading drops the trigger and the table: lines not yet taken out stay in their digests, as
the older code leaves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0040_digest_lines_outlive_old"
down_revision: str | None = "0039_orphan_delete_refusals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
LINES_GONE = (
    "INSERT INTO digest_question_gone (send_id, question_id, line, attempts)"
    " SELECT send_id, question_id, line, 0 FROM digest_question"
    " WHERE question_id = {old}.id"
    # Not while the workspace itself goes (its digests' rows cascade): nothing to edit then.
    " AND EXISTS (SELECT 1 FROM tenant WHERE tenant.id = {old}.tenant_id)"
)
SQLITE_UP = (
    "CREATE TRIGGER open_question_keeps_lines_gone BEFORE DELETE ON open_question BEGIN "
    + LINES_GONE.format(old="old")
    + "; END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS open_question_keeps_lines_gone",)
# A BEFORE trigger's function must return OLD: NULL would cancel the delete.
PG_UP = (
    "CREATE FUNCTION open_question_keeps_lines_gone() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + LINES_GONE.format(old="OLD") + "; RETURN OLD; END $$",
    "CREATE TRIGGER open_question_keeps_lines_gone BEFORE DELETE ON open_question"
    " FOR EACH ROW EXECUTE FUNCTION open_question_keeps_lines_gone()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS open_question_keeps_lines_gone ON open_question",
    "DROP FUNCTION IF EXISTS open_question_keeps_lines_gone()",
)


def upgrade() -> None:
    op.create_table(
        "digest_question_gone",
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["send_id"], ["digest_thread.send_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("send_id", "question_id"),
    )
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)


def downgrade() -> None:
    """The older code keeps no record of the lines an older replica's deletes left: they stay
    in their digests."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
    op.drop_table("digest_question_gone")
