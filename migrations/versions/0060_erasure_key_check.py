"""erasure key check: the key forget-me marks are written with, checked for the whole database

Revision ID: 0060_erasure_key_check
Revises: 0059_place_lookup
Create Date: 2026-11-25

Forget-me marks are keyed with a server secret (``NARRATE_ERASURE_KEY``, or SQLite's key file)
since the version that brings this revision. Code from before reads only unkeyed marks: run
against a database the new code wrote marks in, it would store again, from a channel's reader
list, people who asked to be forgotten. This revision is what makes it refuse to start (it
doesn't know the revision), as for any schema change.

``erasure_key_check`` holds one row: a check value of the key (an HMAC of a constant), written
by the first process to start, so a replica started with another key is refused at its start
even before any workspace holds a mark. A workspace's check value written before (the
``privacy.erasure_key_check`` setting) is copied into it.

Downgrading drops the table; the keyed marks stay, and the older code doesn't read them: anyone
forgotten since the upgrade may be stored again from reader lists until they are forgotten again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0060_erasure_key_check"
down_revision: str | None = "0059_place_lookup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_key_check",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO erasure_key_check (id, value)"
        " SELECT 1, MIN(value) FROM tenant_setting WHERE key = 'privacy.erasure_key_check'"
        " HAVING COUNT(*) > 0"
    )


def downgrade() -> None:
    """The older code reads unkeyed marks only (see above)."""
    op.drop_table("erasure_key_check")
