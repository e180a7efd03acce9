"""update posts: a form update's post that couldn't go out is tried again (``retry_at``)

Revision ID: 0028_update_post_retries
Revises: 0027_narration_prompt
Create Date: 2026-11-24

A form update whose post in its prompt's thread failed for a passing reason (the platform
answered with an error, the database timed out, the channel's sharing couldn't be checked) was
kept but never posted: the claim was dropped and nothing tried again. The row now waits for the
scheduler's tick: ``retry_at`` is when it may be tried (``NULL``: nothing to try, the post went
out or is being made by the command that claimed it) and ``attempts`` how many ticks tried it
(bounded). Two plain ``ADD COLUMN`` on both engines; existing rows get ``NULL`` and 0 and are
never retried, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0028_update_post_retries"
down_revision: str | None = "0027_narration_prompt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "update_post",
        sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.add_column(
        "update_post",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    """The older code never tries a post again: claims waiting for a retry are dropped (their
    narrations stay, unposted, as that code would have left them)."""
    op.execute("DELETE FROM update_post WHERE message_id IS NULL AND retry_at IS NOT NULL")
    with op.batch_alter_table("update_post") as batch:
        batch.drop_column("attempts")
        batch.drop_column("retry_at")
