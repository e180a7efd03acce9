"""introductions: a number per tenant ("Introduction #3"), unique within the tenant

Revision ID: 0009_introduction_numbers
Revises: 0008_who_knows_indexes
Create Date: 2026-11-23

People saw the global primary key, so a workspace could read how many introductions all the
others had had. Existing introductions are numbered 1, 2, 3 … by id within their tenant.

Plain ALTERs, not batch mode, on SQLite too: batch mode rebuilds the table and DROPs the old
one, and with foreign keys on (as ``narrate-bot migrate`` runs) that DROP cascades to every
intro_member and intro_feedback row. SQLite only adds a NOT NULL column with a default, so there
it is added NOT NULL DEFAULT 0 and numbered at once; no row keeps the 0 and the code always sets
a number (``alembic check`` doesn't compare server defaults). PostgreSQL adds it nullable,
numbers the rows, then sets NOT NULL. The backfill is one statement on both engines (window
function in ``UPDATE … FROM``: SQLite 3.33+).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_introduction_numbers"
down_revision: str | None = "0008_who_knows_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER_EXISTING = """
UPDATE introduction SET number = numbered.n
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id) AS n FROM introduction
) AS numbered
WHERE introduction.id = numbered.id
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "introduction",
        sa.Column(
            "number",
            sa.Integer(),
            nullable=not sqlite,
            server_default=sa.text("0") if sqlite else None,
        ),
    )
    op.execute(NUMBER_EXISTING)
    if not sqlite:
        op.alter_column("introduction", "number", existing_type=sa.Integer(), nullable=False)
    op.create_index(
        "uq_introduction_tenant_number", "introduction", ["tenant_id", "number"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_introduction_tenant_number", table_name="introduction")
    op.drop_column("introduction", "number")
