"""schedules: a removed schedule keeps its row (``removed_at``), so its id is never reused

Revision ID: 0017_schedule_removed_at
Revises: 0016_audience_before_sharing
Create Date: 2026-11-23

``/narrate schedule remove`` deleted the row and every send of it. On SQLite (no AUTOINCREMENT)
the next schedule then took the freed id, so the "Write my update" button of a prompt already
posted in a private channel (``/narrate reply 3``) answered the new #3 in another channel, with
that channel's readers; and replies in the posted prompt's thread were dropped unsaid, as its
sent rows had gone. A removed channel schedule now keeps its row, marked ``removed_at``, and its
sent rows; it never fires and isn't listed. Ids freed by a delete before this revision can't be
known and may be given once more.

A nullable column without a default: a plain ALTER on both engines, no batch mode (rebuilding
``schedule`` would cascade to its sends). ``ix_schedule_next_fire`` becomes partial, over live
schedules only, so the rows kept as removed never lengthen the tick's scan.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017_schedule_removed_at"
down_revision: str | None = "0016_audience_before_sharing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("removed_at IS NULL")


def upgrade() -> None:
    op.add_column(
        "schedule", sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    op.drop_index("ix_schedule_next_fire", table_name="schedule")
    op.create_index(
        "ix_schedule_next_fire",
        "schedule",
        ["next_fire_at"],
        unique=False,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    """Removed schedules are deleted with their sends, as removing did before this revision:
    without the column they would fire again."""
    removed = "SELECT id FROM schedule WHERE removed_at IS NOT NULL"
    op.execute(f"DELETE FROM schedule_send WHERE schedule_id IN ({removed})")
    op.execute("DELETE FROM schedule WHERE removed_at IS NOT NULL")
    op.drop_index("ix_schedule_next_fire", table_name="schedule")
    op.create_index("ix_schedule_next_fire", "schedule", ["next_fire_at"], unique=False)
    op.drop_column("schedule", "removed_at")
