"""follow digests: each follower's next due time, indexed (``follow_schedule``), and retries

Revision ID: 0029_follow_schedule
Revises: 0028_update_post_retries
Create Date: 2026-11-24

Inside the Monday window every scheduler wake-up (every 30 s) checked each follower in a zone
whose Monday 09:00 had come for an unclaimed week: its cost grew with the followers (3x the
no-follower wake-up at 2,000, 15-18x at 10,000). ``follow_schedule`` keeps one row per follower
with the UTC instant their digest next needs a look, under an index, so a wake-up reads only
the rows due. ``follow_digest.attempts`` counts the tries of a week's digest: one that failed
with nothing posted is tried again later that day (status ``retry``), up to three times.

Existing followers get a row due at the upgrade: the first wake-up after it looks at each once
and moves it to their next Monday 09:00 (or sends this week's, when it is due and unclaimed).
Existing claims count one attempt. Downgrading drops the table and the column; the older code
finds followers by their zones again, and a week left ``retry`` is not tried again.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0029_follow_schedule"
down_revision: str | None = "0028_update_post_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_schedule",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_index("ix_follow_schedule_due_at", "follow_schedule", ["due_at"], unique=False)
    with op.batch_alter_table("follow_digest") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
    now = sa.bindparam("now", datetime.now(UTC), type_=sqlmodel.sql.sqltypes.UTCDateTime())
    op.get_bind().execute(
        sa.text(
            "INSERT INTO follow_schedule (person_id, tenant_id, due_at)"
            " SELECT person_id, MIN(tenant_id), :now FROM topic_preference"
            " WHERE kind = 'follow' GROUP BY person_id"
        ).bindparams(now)
    )


def downgrade() -> None:
    """The older code finds due followers by their zones; weeks left to retry stay untried."""
    with op.batch_alter_table("follow_digest") as batch:
        batch.drop_column("attempts")
    op.drop_index("ix_follow_schedule_due_at", table_name="follow_schedule")
    op.drop_table("follow_schedule")
