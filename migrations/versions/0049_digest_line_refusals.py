"""a weekly digest's line of a deleted question the platform refuses for good to take out is
logged once and tried weekly (``digest_question_gone.refused_at``)

Revision ID: 0049_digest_line_refusals
Revises: 0048_edit_refusals_weekly
Create Date: 2026-11-24

The repair that takes an older replica's deleted questions out of weekly digests' threads
(``features.digest_copies.take_out_gone``) tried a post Slack answers ``cant_update_message`` or
``cant_delete_message`` for (or one in a channel the app was removed from, or a Discord channel
the bot may no longer see) every six hours for ever, with a warning each time. As for orphaned
update posts (0039, 0043) and messages quoting narrations (0048), each line now keeps when the
platform first refused (``refused_at``): that refusal is logged once, the line waits a week
(``retry_at``) before the next try, and is due at once when the bot is added to the digest's
channel again. Lines refused before this revision are not marked: their next refusal is the one
logged.

Downgrading drops the column: the older code tries refused lines every six hours again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0049_digest_line_refusals"
down_revision: str | None = "0048_edit_refusals_weekly"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    op.add_column(
        "digest_question_gone",
        sa.Column("refused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("digest_question_gone", "refused_at")
