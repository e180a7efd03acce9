"""channels: Slack group DMs no longer keep their members' handles as their name

Revision ID: 0015_slack_group_dm_names
Revises: 0014_open_questions
Create Date: 2026-11-23

Slack names a group DM after the people in it ("mpdm-alice.smith--bob.jones-1") and the Slack
adapter stored that as the channel's name. After alice's forget-me her handle stayed in that
row, listed in the other members' exports and shown as where answers' evidence was written:
the row is shared, so her erasure couldn't edit it. The adapter now stores every group DM as
"group DM" (``adapters/slack/translate.py``, ``GROUP_DM_NAME``); this renames the rows it
stored before. A data change only, one UPDATE on both engines: ``substr`` rather than ``LIKE``,
which SQLite matches without regard to case and PostgreSQL with it. Only Slack workspaces'
channels: on Discord "mpdm-" is an ordinary name someone chose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_slack_group_dm_names"
down_revision: str | None = "0014_open_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Literal copies, not imports: a migration must mean the same thing after the code moves on.
GROUP_DM_PREFIX = "mpdm-"
GROUP_DM_NAME = "group DM"

RENAME = sa.text(
    "UPDATE channel SET name = :neutral"
    " WHERE substr(name, 1, :length) = :prefix"
    " AND tenant_id IN (SELECT id FROM tenant WHERE platform = 'slack')"
).bindparams(neutral=GROUP_DM_NAME, length=len(GROUP_DM_PREFIX), prefix=GROUP_DM_PREFIX)


def upgrade() -> None:
    op.execute(RENAME)


def downgrade() -> None:
    """Nothing to undo, and nothing could be: the handles were the point of the rename, and
    the old names are kept nowhere. Slack's name may come back only if an older adapter sees
    the group DM again, which this revision's code never stores."""
