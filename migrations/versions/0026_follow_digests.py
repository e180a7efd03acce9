"""follow digests: one weekly DM per follower of a topic (``follow_digest``)

Revision ID: 0026_follow_digests
Revises: 0025_update_posts
Create Date: 2026-11-24

``/narrate follow <topic>`` keeps the topic as a ``topic_preference`` row of kind ``follow``
(no schema change). Once a week each follower whose topics had new narrations they may read
gets one DM; this table claims it first, ``UNIQUE(person_id, week)``, so restarts and replicas
never send a second. Rows cascade from their person and workspace. Downgrading drops the table;
the follows stay (older code ignores that kind) and nobody gets the weekly DM.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0026_follow_digests"
down_revision: str | None = "0025_update_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "week", name="uq_follow_digest_person_week"),
    )


def downgrade() -> None:
    """The code before this revision sends no follow digests: which weeks went out is dropped."""
    op.drop_table("follow_digest")
