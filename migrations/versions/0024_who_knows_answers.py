"""who-knows answers: whether each helped its asker (``who_knows_answer``)

Revision ID: 0024_who_knows_answers
Revises: 0023_schedule_question
Create Date: 2026-11-24

Who-knows had no outcome measure. Each answer that names people now gets a row: a token (its
"This helped" button carries it), the asker's platform user id, when it was given, and when its
asker said it helped (once: a second click or a replica changes nothing). ``/narrate stats``
counts them for the whole workspace, never per person. Neither the question nor the people
suggested are kept; the asker's export shows their rows and forget-me erases them.

A new table: nothing existing changes. Downgrading drops it and the figures with it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024_who_knows_answers"
down_revision: str | None = "0023_schedule_question"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "who_knows_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("asker_user_id", sa.Text(), nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("helped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "token", name="uq_who_knows_answer_token"),
    )
    op.create_index(
        "ix_who_knows_answer_asker",
        "who_knows_answer",
        ["tenant_id", "asker_user_id"],
        unique=False,
    )


def downgrade() -> None:
    """The code before this revision has no "This helped" button: the figures go."""
    op.drop_index("ix_who_knows_answer_asker", table_name="who_knows_answer")
    op.drop_table("who_knows_answer")
