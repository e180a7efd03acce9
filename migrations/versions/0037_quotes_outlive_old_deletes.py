"""followed-topics DM quotes and introductions posts follow an older replica's deletes
(``narration_copy_gone``, two triggers)

Revision ID: 0037_quotes_outlive_old_deletes
Revises: 0036_answer_copies
Create Date: 2026-11-24

In a rolling deploy a replica still running the code from before 0034 serves ``/narrate
delete`` and forget-me on this schema. It deletes the narration; ``narration_copy_quote``
cascades from it; and the follower's weekly DM keeps quoting the deleted narration, naming its
author, with nothing left to say which line it was. Likewise a replica from before 0033 erases
a person: ``intro_member`` cascades from them, and the introductions channel's post keeps
naming them, as nothing marks ``intro_post`` due for its edit.

Triggers, as in 0030, because every version's deletes go through them:

* ``BEFORE DELETE ON narration`` copies the lines quoting the narration
  (``narration_copy_quote``) into ``narration_copy_gone``, in the delete's own transaction.
  ``features.narration_copies`` (the scheduler's every wake-up) turns each such line of the
  kept DM into "(removed by its author)", makes the DM due, forgets the copied lines, and edits
  the DM through the platform with the usual back-off. This code's own delete and forget-me
  take the quotes out before the narration goes, so the trigger finds none: nothing is done
  twice. BEFORE, as in 0030: the cascade runs once the narration's row is gone.
* ``AFTER DELETE ON intro_member`` makes the posts of that introduction due at once
  (``retract_at`` set to the earliest time there is: a trigger can't read the bot's clock, and
  a post due since ever is due at every wake-up's clock). The scheduler's introductions repair
  edits the post to name only who is left. This code's forget-me makes the same posts due in
  the same transaction and edits them right after the commit: the post is edited once, as
  before (the repair reads ``retract_at`` and takes the post by the value it read).

The costs: one probe of ``ix_narration_copy_quote_narration`` per narration deleted, and of
``ix_intro_post_introduction`` per introduction member deleted.

SQLite drops a table's triggers with the table, and refuses to rename a table while a trigger
names one missing: a later batch rebuild wraps itself in ``triggers_set_aside``
(``narrate_bot_migrations.triggers``).

Downgrading drops the triggers and the table: lines not yet edited stay in their DMs, and
posts not yet edited keep their names, as the older code leaves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037_quotes_outlive_old_deletes"
down_revision: str | None = "0036_answer_copies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
QUOTES_GONE = (
    "INSERT INTO narration_copy_gone (copy_id, narration_id, line)"
    " SELECT copy_id, narration_id, line FROM narration_copy_quote"
    " WHERE narration_id = {old}.id"
    # Not while the workspace itself goes (its DMs' rows cascade): nothing to edit then.
    " AND EXISTS (SELECT 1 FROM tenant WHERE tenant.id = {old}.tenant_id)"
)
INTRO_DUE = (
    "UPDATE intro_post SET retract_at = {epoch} WHERE introduction_id = {old}.introduction_id"
)
SQLITE_EPOCH = "'1970-01-01 00:00:00.000000'"  # as SQLAlchemy writes a datetime on SQLite
PG_EPOCH = "TIMESTAMPTZ '1970-01-01 00:00:00+00'"
SQLITE_UP = (
    "CREATE TRIGGER narration_keeps_quotes_gone BEFORE DELETE ON narration BEGIN "
    + QUOTES_GONE.format(old="old")
    + "; END",
    "CREATE TRIGGER intro_member_retracts_post AFTER DELETE ON intro_member BEGIN "
    + INTRO_DUE.format(old="old", epoch=SQLITE_EPOCH)
    + "; END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS intro_member_retracts_post",
    "DROP TRIGGER IF EXISTS narration_keeps_quotes_gone",
)
# A BEFORE trigger's function must return OLD: NULL would cancel the delete.
PG_UP = (
    "CREATE FUNCTION narration_keeps_quotes_gone() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + QUOTES_GONE.format(old="OLD") + "; RETURN OLD; END $$",
    "CREATE TRIGGER narration_keeps_quotes_gone BEFORE DELETE ON narration"
    " FOR EACH ROW EXECUTE FUNCTION narration_keeps_quotes_gone()",
    "CREATE FUNCTION intro_member_retracts_post() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + INTRO_DUE.format(old="OLD", epoch=PG_EPOCH) + "; RETURN NULL; END $$",
    "CREATE TRIGGER intro_member_retracts_post AFTER DELETE ON intro_member"
    " FOR EACH ROW EXECUTE FUNCTION intro_member_retracts_post()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS intro_member_retracts_post ON intro_member",
    "DROP FUNCTION IF EXISTS intro_member_retracts_post()",
    "DROP TRIGGER IF EXISTS narration_keeps_quotes_gone ON narration",
    "DROP FUNCTION IF EXISTS narration_keeps_quotes_gone()",
)


def upgrade() -> None:
    op.create_table(
        "narration_copy_gone",
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("narration_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["copy_id"], ["narration_copy.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("copy_id", "narration_id"),
    )
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)


def downgrade() -> None:
    """The older code keeps no record of the lines an older replica's deletes left: they stay
    in their DMs."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
    op.drop_table("narration_copy_gone")
