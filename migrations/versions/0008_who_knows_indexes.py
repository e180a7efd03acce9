"""PostgreSQL: a BRIN index on narrations' (tenant, created_at) for who-knows' long date steps

Revision ID: 0008_who_knows_indexes
Revises: 0007_pg_tsvector
Create Date: 2026-11-24

A term's window reads its GIN matches in date steps (a week, two months, a year, the rest). The
year step intersected them with a B-tree bitmap of every narration of that year (~280,000 rows
at a million narrations, ~26 ms); a BRIN index gives the same step as a few hundred page ranges
(~1 ms). Narrations are appended in time order, so page ranges follow dates. The index lives
outside the SQLModel metadata (``fulltext.MANAGED_NAMES``), like the tsvector column; SQLite is
untouched.
"""

from collections.abc import Sequence

from alembic import op

from narrate_bot.storage import fulltext

revision: str = "0008_who_knows_indexes"
down_revision: str | None = "0007_pg_tsvector"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in fulltext.PG_DATE_BRIN_DDL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in fulltext.PG_DATE_BRIN_DROP:
        op.execute(statement)
