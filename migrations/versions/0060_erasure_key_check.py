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
``privacy.erasure_key_check`` setting) is moved into it (one that disagrees stays, and is still
compared at startup).

Downgrading copies the check value back into each workspace's ``privacy.erasure_key_check``
setting, the form the code from before reads (and upgrading moves it back): without it, after
down and up again the table would be empty while keyed marks exist, and the next process to
start would be accepted with any key. Then it drops the table.
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
    op.execute(
        "DELETE FROM tenant_setting WHERE key = 'privacy.erasure_key_check'"
        " AND value = (SELECT value FROM erasure_key_check WHERE id = 1)"
    )


def downgrade() -> None:
    """The check value goes back to each workspace's setting (see above)."""
    op.execute(
        "INSERT INTO tenant_setting (tenant_id, key, value, updated_at)"
        " SELECT tenant.id, 'privacy.erasure_key_check', erasure_key_check.value, CURRENT_TIMESTAMP"
        " FROM tenant CROSS JOIN erasure_key_check"
        " WHERE erasure_key_check.id = 1 AND NOT EXISTS (SELECT 1 FROM tenant_setting AS s"
        " WHERE s.tenant_id = tenant.id AND s.key = 'privacy.erasure_key_check')"
    )
    op.drop_table("erasure_key_check")
