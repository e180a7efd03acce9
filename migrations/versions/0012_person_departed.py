"""people: remember when the platform said an account was deactivated or left

Revision ID: 0012_person_departed
Revises: 0011_person_guest
Create Date: 2026-11-23

Someone whose account is deactivated (Slack's ``user_change`` with ``deleted``) or who left the
Discord server can't be asked anything, so who-knows answers, the topic map, the weekly
introductions and the prompts leave them out. Nothing of theirs is erased: the account may come
back, and erasing stays the person's own decision (forget-me) or the workspace's (uninstall).
Existing people start as present. A nullable column is a plain ALTER on both engines.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_person_departed"
down_revision: str | None = "0011_person_guest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "person", sa.Column("departed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the table, and with foreign
    # keys on, dropping the old one would cascade to everything that references a person.
    op.drop_column("person", "departed_at")
