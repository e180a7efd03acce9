"""topic preferences: ask-me-about and hide-me

Revision ID: 0005_expertise_prefs
Revises: 0004_scheduling
Create Date: 2026-11-22

A new table only; the narration table (and its full-text triggers) is untouched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_expertise_prefs"
down_revision: str | None = "0004_scheduling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "topic_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("topic_key", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "kind", "topic_key"),
    )
    op.create_index(
        "ix_topic_preference_tenant_key",
        "topic_preference",
        ["tenant_id", "topic_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_topic_preference_tenant_key", table_name="topic_preference")
    op.drop_table("topic_preference")
