"""open questions: remember what /narrate ask-channel posted, for the weekly digest

Revision ID: 0014_open_questions
Revises: 0013_person_last_ordinal
Create Date: 2026-11-23

The digest promises "open questions", but a question posted to the open-questions channel was
stored nowhere, so the digest could only guess at narrations with a "?" in them. A new table
only: the cleaned question, who asked (cascading from their person row, so forget-me takes it)
and the channel it was posted to (its readers are who may see it in a digest). Questions
posted before this migration are not known and stay out of digests.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014_open_questions"
down_revision: str | None = "0013_person_last_ordinal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["channel_pk"], ["channel.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_open_question_tenant_asked", "open_question", ["tenant_id", "asked_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_open_question_tenant_asked", table_name="open_question")
    op.drop_table("open_question")
