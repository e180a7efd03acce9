"""A deleted narration keeps its quotes' lines only for copies that still exist.

0037's trigger records, as a narration is deleted, the lines its quotes left in DMs
(``narration_copy_gone``). When a person is deleted, PostgreSQL cascades to their narrations
and to the copies that quote them in an order set by its internal trigger names (which embed
object ids), so the copy could already be gone when the narration's trigger ran: its insert
then broke ``narration_copy_gone``'s foreign key and the whole delete (a forget-me, a
departure) failed. Only lines of copies still there are recorded now; a deleted copy has
nothing left to edit.
"""

from __future__ import annotations

from alembic import op

revision: str = "0063_quotes_gone_copy_alive"
down_revision: str | None = "0062_last_place"
branch_labels = None
depends_on = None

OLD = (
    "INSERT INTO narration_copy_gone (copy_id, narration_id, line)"
    " SELECT copy_id, narration_id, line FROM narration_copy_quote"
    " WHERE narration_id = {old}.id"
    " AND EXISTS (SELECT 1 FROM tenant WHERE tenant.id = {old}.tenant_id)"
)
NEW = OLD + (
    " AND EXISTS (SELECT 1 FROM narration_copy WHERE narration_copy.id = narration_copy_quote.copy_id)"
)


def _install(body: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS narration_keeps_quotes_gone")
        op.execute(
            "CREATE TRIGGER narration_keeps_quotes_gone BEFORE DELETE ON narration BEGIN "
            + body.format(old="old")
            + "; END"
        )
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION narration_keeps_quotes_gone() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN " + body.format(old="OLD") + "; RETURN OLD; END $$"
        )


def upgrade() -> None:
    _install(NEW)


def downgrade() -> None:
    _install(OLD)
