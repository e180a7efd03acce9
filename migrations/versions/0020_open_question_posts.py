"""open questions: keep where each was posted, and whether it is still open

Revision ID: 0020_open_question_posts
Revises: 0019_schedule_numbers
Create Date: 2026-11-24

The bot's post ("<@U1> is looking for someone who knows about “cobol”") names the asker in the
open-questions channel, but its platform message id was thrown away, so forget-me erased the
stored row and left the post behind, naming the person, where neither they nor the bot could
remove it. Each row now keeps the channel and message id of its post (set once the platform
accepted it; empty while it is being posted, and for questions posted before this revision,
whose posts can't be found again), so forget-me and ``ask-channel withdraw`` can delete it.

``status`` ('open', 'answered', 'withdrawn') and ``closed_at`` let the asker close a question:
the digest lists open ones only, and answered ones count as an outcome in ``/narrate stats``.
Existing rows are open. Plain ALTERs on both engines (batch mode would rebuild the table);
the one NOT NULL column has a server default, so SQLite adds it without a rebuild.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020_open_question_posts"
down_revision: str | None = "0019_schedule_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("open_question", sa.Column("post_channel_id", sa.Text(), nullable=True))
    op.add_column("open_question", sa.Column("post_message_id", sa.Text(), nullable=True))
    op.add_column(
        "open_question",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="open"),
    )
    op.add_column(
        "open_question",
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    """The code before this revision knows no post ids or status: closed questions would be
    listed as open again in digests, and posts can no longer be found to delete."""
    op.drop_column("open_question", "closed_at")
    op.drop_column("open_question", "status")
    op.drop_column("open_question", "post_message_id")
    op.drop_column("open_question", "post_channel_id")
