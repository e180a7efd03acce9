"""orphaned update posts whose delete the platform refused are tried again weekly, not given up
(``ix_update_post_orphan_retry_at`` whole again)

Revision ID: 0043_orphan_refusals_weekly
Revises: 0042_dm_answers_by_user_id
Create Date: 2026-11-24

Since 0039 a place whose post the platform refused to delete (Slack ``cant_delete_message``,
``not_in_channel``, ``channel_not_found``; Discord 403) was given up for good: an admin who
invited the app back, or gave it its permissions again, left the post (naming someone who asked
to be forgotten, or quoting a deleted narration) in its thread for ever. Now ``refused_at`` only
notes the first refusal (the one logged): the place waits a week (``retry_at``) and is tried
again, or at once when the bot is added to its channel again.

The index over ``retry_at`` becomes whole again: a refused place's ``retry_at`` is a week ahead,
so the wake-up's ``<= now`` probe doesn't read it until then. The places given up before this
revision are made due at once (``retry_at`` NULL): one try each at the next wake-up, not logged
again, then weekly.

Downgrading makes the index partial again (``refused_at IS NULL``): the older code leaves every
place refused once as given up, as it did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043_orphan_refusals_weekly"
down_revision: str | None = "0042_dm_answers_by_user_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("refused_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_update_post_orphan_retry_at", table_name="update_post_orphan")
    op.create_index("ix_update_post_orphan_retry_at", "update_post_orphan", ["retry_at"])
    op.execute("UPDATE update_post_orphan SET retry_at = NULL WHERE refused_at IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_update_post_orphan_retry_at", table_name="update_post_orphan")
    op.create_index(
        "ix_update_post_orphan_retry_at",
        "update_post_orphan",
        ["retry_at"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
