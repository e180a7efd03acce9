"""who-knows answers by DM to someone who never joined are kept, under their user id

Revision ID: 0042_dm_answers_by_user_id
Revises: 0041_question_credits
Create Date: 2026-11-24

"who knows about X?" asked in a DM by someone the bot keeps no person for (they never ran
/narrate join) is answered in their DM, quoting narrations. That answer was never kept (its
record needed a person), so a later delete, edit or unshare of what it quoted never reached it.
``narration_copy.reader_user_id`` now names such a reader by their platform user id in the
workspace: quotes are read for them by that id, their export shows the message and their
forget-me empties it (every quote removed) before forgetting it, as ``pending_action`` is kept
and erased by user id.

Downgrading deletes those records (the older code would never forget them by user id; their
quote lines go first, as foreign keys are off while SQLite migrates): their messages keep what
they show now, as answers before this revision did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from narrate_bot_migrations.triggers import triggers_set_aside

revision: str = "0042_dm_answers_by_user_id"
down_revision: str | None = "0041_question_credits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with triggers_set_aside(), op.batch_alter_table("narration_copy") as batch:
        batch.add_column(sa.Column("reader_user_id", sa.Text(), nullable=True))
        batch.create_index("ix_narration_copy_reader_user", ["tenant_id", "reader_user_id"])


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM narration_copy_quote WHERE copy_id IN"
            " (SELECT id FROM narration_copy WHERE reader_user_id IS NOT NULL)"
        )
    )
    op.execute(sa.text("DELETE FROM narration_copy WHERE reader_user_id IS NOT NULL"))
    with triggers_set_aside(), op.batch_alter_table("narration_copy") as batch:
        batch.drop_index("ix_narration_copy_reader_user")
        batch.drop_column("reader_user_id")
