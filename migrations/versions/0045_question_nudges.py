"""question nudges: an open question's asker is asked once whether it is still open

Revision ID: 0045_question_nudges
Revises: 0044_update_posts_resync
Create Date: 2026-11-24

An open question nobody closes stayed open for ever. Now, 14 days after it was asked, its asker
gets one DM asking whether it is still open (Answered / Still open / Withdraw), and one more 14
days after saying "still open"; never more. ``question_nudge`` is each DM's claim (made before
it is sent, so replicas never send it twice) and the asker's "still open". A table of its own:
SQLite rebuilds nothing (a rebuild of ``open_question`` would take the digest lines that
reference it). The partial index keeps the wake-up's "second nudge due?" one probe of an empty
index.

Open questions asked before this migration are asked about too, once they are old enough: a
question open for months gets its DM at the first wake-up. Downgrading drops the table: the
older code asks nobody, and nothing of the questions changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0045_question_nudges"
down_revision: str | None = "0044_update_posts_resync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STILL_OPEN = sa.text("nudges = 1 AND still_open_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "question_nudge",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("nudges", sa.Integer(), nullable=False),
        sa.Column("nudged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("still_open_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["question_id"], ["open_question.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id"),
    )
    op.create_index(
        "ix_question_nudge_still_open",
        "question_nudge",
        ["still_open_at"],
        sqlite_where=STILL_OPEN,
        postgresql_where=STILL_OPEN,
    )


def downgrade() -> None:
    """The older code asks nobody: the questions stay as they are."""
    op.drop_index("ix_question_nudge_still_open", table_name="question_nudge")
    op.drop_table("question_nudge")
