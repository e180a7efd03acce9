"""schedules: a channel prompt may ask its own question (``schedule.question``)

Revision ID: 0023_schedule_question
Revises: 0022_channel_shared_unknown
Create Date: 2026-11-24

Every prompt asked the same "what are you working on, learning or stuck on?". A team may now
set one question of its own per prompt schedule (``/narrate schedule #team weekdays 16:30 What
did you ship today?``, ``/narrate schedule question 2 …``). Schedules stored before this
revision have none, and keep asking the default question.

A nullable column without a default: a plain ALTER on both engines, no batch mode (rebuilding
``schedule`` would cascade to its sends). Downgrading drops the custom questions: the code
before this revision asks the default one everywhere.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_schedule_question"
down_revision: str | None = "0022_channel_shared_unknown"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("schedule", sa.Column("question", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("schedule", "question")
