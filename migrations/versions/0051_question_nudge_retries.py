"""question nudge retries: a follow-up DM the platform took nothing of is sent again

Revision ID: 0051_question_nudge_retries
Revises: 0050_cjk_search_text
Create Date: 2026-11-24

A "still open?" DM is claimed before it is sent; when the platform answered and took nothing
(an outage, a rate limit: ``ports.NotPosted``), the claim stayed and the DM was never sent.
Now such a DM waits for the repairs' back-off (``retry_at``, ``attempts``) and is sent at a
later wake-up. Plain ADD COLUMNs on both engines: no SQLite rebuild. The partial index keeps
the wake-up's "a retry due?" one probe of an empty index.

Downgrading drops both: the older code never retries, so a DM waiting for its retry is not
sent (as before this migration).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0051_question_nudge_retries"
down_revision: str | None = "0050_cjk_search_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("retry_at IS NOT NULL")


def upgrade() -> None:
    op.add_column(
        "question_nudge",
        sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.add_column(
        "question_nudge",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_question_nudge_retry_at",
        "question_nudge",
        ["retry_at"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    """The older code never retries: a DM waiting for its retry stays unsent."""
    op.drop_index("ix_question_nudge_retry_at", table_name="question_nudge")
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("question_nudge", "attempts")
    op.drop_column("question_nudge", "retry_at")
