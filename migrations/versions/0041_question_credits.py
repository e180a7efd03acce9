"""question credits: who answered an open question, as its asker said

Revision ID: 0041_question_credits
Revises: 0040_digest_lines_outlive_old
Create Date: 2026-11-24

``/narrate ask-channel answered by @bob`` credits the person who answered: counted in
``/narrate stats`` as an outcome, and thanked by DM. A table of its own rather than a column of
``open_question``, so SQLite rebuilds nothing (a rebuild with foreign keys on would take the
digest lines that reference the questions). Existing answered questions have no credit.
Downgrading drops the table: the questions stay answered, uncredited.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0041_question_credits"
down_revision: str | None = "0040_digest_lines_outlive_old"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_credit",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["open_question.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id"),
    )
    op.create_index("ix_question_credit_person_id", "question_credit", ["person_id"], unique=False)


def downgrade() -> None:
    """The older code credits nobody: the questions stay answered."""
    op.drop_index("ix_question_credit_person_id", table_name="question_credit")
    op.drop_table("question_credit")
