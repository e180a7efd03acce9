"""orphaned update posts the platform refuses for good to delete are given up
(``update_post_orphan.refused_at``)

Revision ID: 0039_orphan_delete_refusals
Revises: 0038_pending_actions
Create Date: 2026-11-24

The repair of orphaned update posts (``features.orphan_posts``) tried a post Slack answers
``cant_delete_message`` for (or one in a channel the app was removed from, or a Discord channel
the bot may no longer see) every six hours for good, with a warning each time. Such an answer
stays until someone changes something: the place now keeps when it was given up
(``refused_at``), the repair never tries it again, and it is logged once. Kept, not deleted: it
is a post naming someone that is still out there, for an admin to find.

``ix_update_post_orphan_retry_at`` becomes partial (places not given up): the wake-up's two
probes read only places still to be tried, however many were given up.

Downgrading drops the column and makes the index whole again: the older code tries the given-up
places again, every six hours, as it did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0039_orphan_delete_refusals"
down_revision: str | None = "0038_pending_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("refused_at IS NULL")


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    op.add_column(
        "update_post_orphan",
        sa.Column("refused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.drop_index("ix_update_post_orphan_retry_at", table_name="update_post_orphan")
    op.create_index(
        "ix_update_post_orphan_retry_at",
        "update_post_orphan",
        ["retry_at"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_update_post_orphan_retry_at", table_name="update_post_orphan")
    op.create_index("ix_update_post_orphan_retry_at", "update_post_orphan", ["retry_at"])
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("update_post_orphan", "refused_at")
