"""narrations: indexed by channel, so deleting a channel reads only its own narrations

Revision ID: 0056_narration_channel_index
Revises: 0055_introduction_delivered_at
Create Date: 2026-11-25

Forget-me deletes the person's DM channel with the bot once no narration is left in it
(``privacy._erase_by_user_id``): ``NOT IN (SELECT channel_pk FROM narration WHERE channel_pk
IN (...))``, and the delete's foreign-key cascade to ``narration.channel_pk`` looks for the
channel's narrations again. With no index on ``narration.channel_pk`` both read every narration
of every workspace: 1.8 s of one erasure at 1,000,000 narrations on SQLite, holding the write
lock (``benchmarks.forget_me``). Any other channel delete (a workspace's channel gone) paid
the same. The index makes both a lookup.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0056_narration_channel_index"
down_revision: str | None = "0055_introduction_delivered_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_narration_channel_pk", "narration", ["channel_pk"])


def downgrade() -> None:
    op.drop_index("ix_narration_channel_pk", table_name="narration")
