"""an update post's resync edit the platform refuses for good is logged once and tried weekly
(``update_post.resync_refused_at``)

Revision ID: 0053_update_post_resync_refused
Revises: 0052_search_text_older_edits
Create Date: 2026-11-24

The repair that edits form updates' posts to their narrations after an older replica's edit
(``features.update_post_resync``) tried a post Slack answers ``cant_update_message`` for (or one
in a channel the app was removed from, or a Discord channel the bot may no longer see) every six
hours for ever, with a warning each time. As for orphaned update posts (0039, 0043), messages
quoting narrations (0048) and weekly digests' lines (0049), each post now keeps when the platform
first refused (``resync_refused_at``): that refusal is logged once, the post waits a week
(``resync_at``) before the next try, and is due at once when the bot is added to the post's
channel again. Posts refused before this revision are not marked: their next refusal is the one
logged.

Downgrading drops the column: the older code tries refused posts every six hours again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0053_update_post_resync_refused"
down_revision: str | None = "0052_search_text_older_edits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    op.add_column(
        "update_post",
        sa.Column("resync_refused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("update_post", "resync_refused_at")
