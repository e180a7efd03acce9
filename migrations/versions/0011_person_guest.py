"""people: remember whether the platform last described them as a guest

Revision ID: 0011_person_guest
Revises: 0010_channel_shared
Create Date: 2026-11-23

Guests (and people from another organisation) are refused whatever shows members' narrations,
but that check reads the event in hand. The weekly introductions run without one, so a person who
joined introductions as a member and became a guest afterwards would still be paired and shown
members' topics. Each event now stores the flag; existing people start as members and take the
platform's word the next time they do anything. A constant default is a plain ALTER on both
engines (no table rebuild, so no foreign-key cascade on SQLite).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_person_guest"
down_revision: str | None = "0010_channel_shared"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "person",
        sa.Column("guest", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the table, and with foreign
    # keys on, dropping the old one would cascade to everything that references a person.
    op.drop_column("person", "guest")
