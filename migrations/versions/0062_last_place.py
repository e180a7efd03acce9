"""last place: where each person last used the bot, kept past a restart

Revision ID: 0062_last_place
Revises: 0061_narration_index_rules
Create Date: 2026-11-25

The Discord adapter points someone whose DMs are closed to what waits for them with a mention
where they last used the bot (if the bot may post there and they may still view it), else in
the server's system channel. It kept that channel in memory only, so after a restart the system
channel was the only place left to point in. It is kept here per person and workspace
(``last_place``), exported and erased with what else is kept under a user id. Rows go with
their workspace. Downgrading drops the table: the older code keeps it in memory again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0062_last_place"
down_revision: str | None = "0061_narration_index_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "last_place",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "user_id"),
    )


def downgrade() -> None:
    """The older code keeps where each person last used the bot in memory."""
    op.drop_table("last_place")
