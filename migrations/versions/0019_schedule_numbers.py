"""schedules: a number per tenant ("Scheduled #3"), unique within the tenant

Revision ID: 0019_schedule_numbers
Revises: 0018_topic_keys_fold_accents
Create Date: 2026-11-23

People saw the global primary key ("Scheduled #3", ``schedule list``, ``schedule remove 3``, the
"Write my update" button's ``/narrate reply 3``), so a workspace's first prompt could read "#3"
and tell how many schedules the other workspaces had. Channel prompts and digests now carry a
``number`` counted within their tenant; personal reminders and the introductions jobs are never
named by number and keep none (NULLs never clash in the unique index, on either engine).

Existing prompts and digests are numbered with their own id, not 1, 2, 3 … again. Their ids
were shown already: buttons under prompts already in channels carry ``/narrate reply <id>``,
open forms carry it, and people typed and noted them. Renumbering would give those ids to other
schedules of the same workspace (its schedules with ids 2 and 3 becoming #1 and #2: the old
button of id 2 would answer id 3's prompt, perhaps in another channel with other readers), and
no message says which meaning was meant. Kept as they were, every old reference still means
the schedule it was posted with, and only in its own workspace (a number is looked up within the
asker's tenant); the next number is the tenant's highest + 1, so nothing more about other
workspaces is ever shown. A workspace's numbers stored before keep the gaps they had.

Plain ALTERs on both engines (batch mode would rebuild ``schedule``, and dropping it cascades
to its sends). The column is nullable everywhere, so no default is needed on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_schedule_numbers"
down_revision: str | None = "0018_topic_keys_fold_accents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("schedule", sa.Column("number", sa.Integer(), nullable=True))
    op.execute("UPDATE schedule SET number = id WHERE kind IN ('prompt', 'digest')")
    op.create_index("uq_schedule_tenant_number", "schedule", ["tenant_id", "number"], unique=True)


def downgrade() -> None:
    """Numbers go; ids stay what the code before this revision shows. Schedules numbered since
    the upgrade are then shown by their id again (their numbers aren't kept anywhere)."""
    op.drop_index("uq_schedule_tenant_number", table_name="schedule")
    op.drop_column("schedule", "number")
