"""update posts: where a form update was posted in its prompt's thread (``update_post``)

Revision ID: 0025_update_posts
Revises: 0024_who_knows_answers
Create Date: 2026-11-24

An update written through a prompt's "Write my update" form was kept as a narration that nobody
saw unless they searched. It is now posted in the prompt's thread, naming its author, and the
row keeps where (the channel, the prompt's message and the post's own id), so editing the
narration edits the post and deleting it, or forget-me, deletes the post. One row per narration
(``uq_update_post_narration``): it is claimed before posting, so a retry posts nothing twice.

A new table: nothing existing changes (a channel's "updates off" is a tenant setting). Rows
cascade from their narration. Downgrading drops the table: posts already made stay in their
threads, but edits and deletes no longer reach them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025_update_posts"
down_revision: str | None = "0024_who_knows_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "update_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("narration_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Text(), nullable=False),
        sa.Column("thread_of", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["narration_id"], ["narration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("narration_id", name="uq_update_post_narration"),
    )


def downgrade() -> None:
    """The code before this revision posts no updates: where earlier ones went is forgotten."""
    op.drop_table("update_post")
