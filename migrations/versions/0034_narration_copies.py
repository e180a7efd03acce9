"""narration copies: which narrations each followed-topics DM quotes (``narration_copy``,
``narration_copy_quote``)

Revision ID: 0034_narration_copies
Revises: 0033_intro_posts
Create Date: 2026-11-24

The weekly followed-topics DM quotes up to 120 characters of each narration it lists, naming
its author. ``follow_digest`` kept only the week, status and time, so ``/narrate delete``,
``edit``, ``unshare`` and forget-me left the quote in the follower's DM for good. Each DM is now
kept as it reads (``narration_copy``, going with its reader and workspace) with the line that
quotes each narration (``narration_copy_quote``, going with the narration), and is edited when
one of them changes; ``retry_at`` holds an edit the platform hasn't confirmed, tried again by
the scheduler (``ix_narration_copy_retry_at``: one probe when none is due).

DMs sent before this revision kept no such record: their quotes can't be found, and stay.
Downgrading drops both tables; the older code leaves the quotes as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0034_narration_copies"
down_revision: str | None = "0033_intro_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "narration_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.Column("posted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_narration_copy_person_id", "narration_copy", ["person_id"])
    op.create_index("ix_narration_copy_retry_at", "narration_copy", ["retry_at"])
    op.create_table(
        "narration_copy_quote",
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("narration_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["copy_id"], ["narration_copy.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["narration_id"], ["narration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("copy_id", "narration_id"),
    )
    op.create_index("ix_narration_copy_quote_narration", "narration_copy_quote", ["narration_id"])


def downgrade() -> None:
    """The older code keeps no record of the DMs' quotes, and can't edit them."""
    op.drop_index("ix_narration_copy_quote_narration", table_name="narration_copy_quote")
    op.drop_table("narration_copy_quote")
    op.drop_index("ix_narration_copy_retry_at", table_name="narration_copy")
    op.drop_index("ix_narration_copy_person_id", table_name="narration_copy")
    op.drop_table("narration_copy")
