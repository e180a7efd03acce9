"""Indexes for who-knows at a million narrations: a covering person index, a date BRIN

Revision ID: 0008_who_knows_indexes
Revises: 0007_pg_tsvector
Create Date: 2026-11-24

The activity prior reads the best candidates' visible narrations of the last 120 days. The
(person, created_at) index found them, but every row then cost a table read for its channel,
audience and tenant (visibility); the new index carries those columns, so the read is answered
from the index alone (both engines). PostgreSQL also gets a BRIN index on (tenant, created_at):
a window's step of a year intersects the term's GIN matches with page ranges instead of a
bitmap of every narration of that year. The BRIN lives outside the SQLModel metadata
(``fulltext.MANAGED_NAMES``), like the tsvector column.
"""

from collections.abc import Sequence

from alembic import op

from narrate_bot.storage import fulltext

revision: str = "0008_who_knows_indexes"
down_revision: str | None = "0007_pg_tsvector"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COVERING = ["person_id", "created_at", "channel_pk", "audience", "tenant_id"]


def upgrade() -> None:
    op.create_index("ix_narration_person_recent", "narration", _COVERING, unique=False)
    op.drop_index("ix_narration_person_created", table_name="narration")
    if op.get_bind().dialect.name == "postgresql":
        for statement in fulltext.PG_DATE_BRIN_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in fulltext.PG_DATE_BRIN_DROP:
            op.execute(statement)
    op.create_index(
        "ix_narration_person_created", "narration", ["person_id", "created_at"], unique=False
    )
    op.drop_index("ix_narration_person_recent", table_name="narration")
