"""people: a counter for narration short ids, so a deleted narration's id is never given again

Revision ID: 0013_person_last_ordinal
Revises: 0012_person_departed
Create Date: 2026-11-23

Short ids were the author's highest existing ordinal + 1, so deleting #2 and narrating again gave
the new narration #2: a stale "/narrate share 2" button, or an id read from an old
``/narrate mine``, then acted on a different narration. ``person.last_ordinal`` remembers the
highest id ever given and only grows. Existing people start at their highest existing ordinal
(ids already freed by a delete before this migration can't be known and may be given once more).

A NOT NULL column with a constant default is a plain ALTER on both engines (no batch mode: with
foreign keys on, rebuilding ``person`` would cascade to everything that references it). The
backfill is one correlated UPDATE on both engines.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_person_last_ordinal"
down_revision: str | None = "0012_person_departed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE person SET last_ordinal = COALESCE(
    (SELECT MAX(narration.ordinal) FROM narration WHERE narration.person_id = person.id), 0
)
"""


def upgrade() -> None:
    op.add_column(
        "person",
        sa.Column("last_ordinal", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_column("person", "last_ordinal")
