"""narrations: the audience a narration had before it was shared, so unshare gives it back

Revision ID: 0016_audience_before_sharing
Revises: 0015_slack_group_dm_names
Create Date: 2026-11-23

``/narrate unshare`` had to guess what a shared narration was before. For one written in a form
or with the message shortcut, where "Only me" could have been picked, the only safe guess was
"only me", so a note written for #team and shared by mistake came back hidden from #team.
``narration.audience_before_sharing`` keeps the audience ``share`` replaced. Rows shared before
this revision keep NULL and the old narrowing rule (nothing can tell what they were). A nullable
column without a default: a plain ALTER on both engines, no backfill.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_audience_before_sharing"
down_revision: str | None = "0015_slack_group_dm_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "narration", sa.Column("audience_before_sharing", sa.String(length=16), nullable=True)
    )


def downgrade() -> None:
    """Shared narrations stay shared; their unshare falls back to the narrowing rule."""
    op.drop_column("narration", "audience_before_sharing")
