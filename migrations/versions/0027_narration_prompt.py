"""narrations: which prompt a "Write my update" form answered (``narration.prompt_schedule_id``)

Revision ID: 0027_narration_prompt
Revises: 0026_follow_digests
Create Date: 2026-11-24

The same form sent twice (a double submit, a platform's retry) is kept once: a second update
with the same text within 2 minutes is taken for the first. That matched the person, channel,
source and text only, so two prompts in one channel (a standup and a release checklist) both
answered "done" kept only the first: the second was "Already noted as #1". The narration now
keeps the schedule whose prompt it answered, and only the same prompt's form counts as sent
twice. A nullable integer without a default (the schedule's id; a channel schedule's row is
never deleted, only marked removed): a plain ALTER on both engines, no backfill. Updates kept
before this revision have none and are never taken for a repeat.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_narration_prompt"
down_revision: str | None = "0026_follow_digests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("narration", sa.Column("prompt_schedule_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """The older code matches a repeat by its text alone again (one of two prompts' "done" is
    taken for the other's)."""
    op.drop_column("narration", "prompt_schedule_id")
