"""channels: whether the platform archived them, and whether the bot was removed from them

Revision ID: 0021_channel_archived_bot_left
Revises: 0020_open_question_posts
Create Date: 2026-11-24

An open-questions channel that was archived, or that the bot was removed from, refused every
question posted to it, yet the offer to post there kept being made to everyone nobody could
answer, and a member of a private one was told they weren't in it (the bot, out of the channel,
no longer knows who is). The platform says so (Slack's ``channel_archive`` / ``channel_unarchive``
and the bot's own ``member_left_channel`` / ``member_joined_channel``), and the channel row now
keeps it, so the offer is withheld and askers are told what to fix.

Both are NOT NULL with a server default of false (existing channels are neither), so both
engines add them with a plain ALTER, without a rebuild.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_channel_archived_bot_left"
down_revision: str | None = "0020_open_question_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "channel",
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "channel",
        sa.Column("bot_left", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """The code before this revision offers an archived open-questions channel again, and
    tells members of a private one the bot left that they aren't in it."""
    op.drop_column("channel", "bot_left")
    op.drop_column("channel", "archived")
