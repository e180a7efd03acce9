"""messages quoting narrations and introductions' posts the platform refuses to edit are logged
once and tried weekly (``narration_copy.refused_at``, ``intro_post.refused_at``)

Revision ID: 0048_edit_refusals_weekly
Revises: 0047_quotes_follow_old_edits
Create Date: 2026-11-24

The repairs that edit a followed-topics DM or a who-knows answer (``features.narration_copies``)
and an introductions channel post after a forget-me (``features.intro_posts``) tried a message
Slack answers ``cant_update_message`` for (or one in a channel the app was removed from, or a
Discord channel the bot may no longer see) every six hours for ever, with a warning each time.
As for orphaned update posts (0039, 0043), each row now keeps when the platform first refused
(``refused_at``): that refusal is logged once, and the row waits a week (its ``retry_at`` or
``retract_at``) before the next try. Rows refused before this revision are not marked: their
next refusal is the one logged.

Downgrading drops the columns: the older code tries refused rows every six hours again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0048_edit_refusals_weekly"
down_revision: str | None = "0047_quotes_follow_old_edits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("narration_copy", "intro_post")


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    for table in TABLES:
        op.add_column(
            table, sa.Column("refused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    for table in TABLES:
        op.drop_column(table, "refused_at")
