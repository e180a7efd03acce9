"""channels: remember which are shared with people outside the workspace

Revision ID: 0010_channel_shared
Revises: 0009_introduction_numbers
Create Date: 2026-11-23

A channel shared with another organisation (Slack Connect, or across a Grid org's workspaces) is
read by people who can't open the workspace's other channels. Scheduled work that posts into a
channel (the weekly digest) reads the stored row, not an event, so the flag must be stored.
Existing channels start as not shared; the Slack adapter sets the flag from ``conversations.info``
the next time it sees the channel. Adding a column with a constant default is a plain ALTER on
both engines (no table rebuild, so no foreign-key cascade on SQLite).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_channel_shared"
down_revision: str | None = "0009_introduction_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "channel",
        sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the table, and with foreign
    # keys on, dropping the old one would cascade to every narration and membership.
    op.drop_column("channel", "shared")
