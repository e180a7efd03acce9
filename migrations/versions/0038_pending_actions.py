"""pending actions: button commands too long for the button, kept under a key

Revision ID: 0038_pending_actions
Revises: 0037_quotes_outlive_old_deletes
Create Date: 2026-11-24

A Discord button carries its command in a ``custom_id`` of at most 100 characters. "Keep as a
narration" (the person's whole text), "Ask in #questions" (their whole question) and the
Replace/Keep choices don't fit: they were kept in the process's memory under a key, so a click
after a restart, a deploy or on another replica lost the person's words. They are kept here now
(``pending_action``): the workspace, the key the button carries, the command, who may click it
and when it was kept; the scheduler sweeps rows older than a week
(``ix_pending_action_created_at``: one probe when none is), export and forget-me find a
person's by ``ix_pending_action_user``.

Buttons posted before this revision were kept in memory: after the deploy their clicks say the
button expired, as before. Downgrading drops the table; the older code keeps them in memory.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0038_pending_actions"
down_revision: str | None = "0037_quotes_outlive_old_deletes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_action",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "key"),
    )
    op.create_index("ix_pending_action_created_at", "pending_action", ["created_at"])
    op.create_index("ix_pending_action_user", "pending_action", ["tenant_id", "user_id"])


def downgrade() -> None:
    """The older code keeps these commands in memory, and forgets them on a restart."""
    op.drop_index("ix_pending_action_user", table_name="pending_action")
    op.drop_index("ix_pending_action_created_at", table_name="pending_action")
    op.drop_table("pending_action")
