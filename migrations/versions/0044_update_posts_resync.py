"""update posts follow an older replica's edits and unshares (``resync_at``, a trigger)

Revision ID: 0044_update_posts_resync
Revises: 0043_orphan_refusals_weekly
Create Date: 2026-11-24

In a rolling deploy a replica still running older code serves ``/narrate edit`` and
``/narrate unshare`` on this schema. Its SQL changes the narration's text, or makes it "only
me" again, and a form update's post in its prompt's thread (``update_post``) kept the old words,
or stayed for the channel to read, with nothing marking it behind.

``AFTER UPDATE OF text, audience ON narration``, only when the text changes or the audience
becomes ``only_me``: the narration's posted ``update_post`` row gets ``resync_at`` set to the
earliest time there is (a trigger can't read the bot's clock; a post due since ever is due at
every wake-up's clock). The scheduler's repair (``features.update_post_resync``) edits the post
to the narration's text, or takes it out of the thread when the narration is "only me", with
the repairs' back-off. This code's own edit leases the row in its transaction after the
narration's update (overwriting what the trigger set) and clears the lease by compare once the
platform has the edit: the post is edited once. An older replica's edit meanwhile sets it due
again, so its words win in the end. Its own unshare takes the row out in the same transaction.

The cost: one probe of ``uq_update_post_narration`` per narration edited or made "only me".
A partial index over ``resync_at`` keeps the wake-up's "none due" one probe of an empty index.

Downgrading drops the trigger and the columns: posts not yet repaired keep their old text, as
the older code leaves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from narrate_bot_migrations.triggers import triggers_set_aside

revision: str = "0044_update_posts_resync"
down_revision: str | None = "0043_orphan_refusals_weekly"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESYNC = sa.text("resync_at IS NOT NULL")
# Kept here, not imported: a migration must keep doing what it did when later code changes.
DUE = (
    "UPDATE update_post SET resync_at = {epoch}"
    " WHERE narration_id = {new}.id AND message_id IS NOT NULL"
)
SQLITE_EPOCH = "'1970-01-01 00:00:00.000000'"  # as SQLAlchemy writes a datetime on SQLite
PG_EPOCH = "TIMESTAMPTZ '1970-01-01 00:00:00+00'"
SQLITE_UP = (
    "CREATE TRIGGER narration_resyncs_update_post AFTER UPDATE OF text, audience ON narration"
    " WHEN new.text IS NOT old.text"
    " OR (new.audience = 'only_me' AND old.audience IS NOT 'only_me') BEGIN "
    + DUE.format(new="new", epoch=SQLITE_EPOCH)
    + "; END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS narration_resyncs_update_post",)
PG_UP = (
    "CREATE FUNCTION narration_resyncs_update_post() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + DUE.format(new="NEW", epoch=PG_EPOCH) + "; RETURN NULL; END $$",
    "CREATE TRIGGER narration_resyncs_update_post AFTER UPDATE OF text, audience ON narration"
    " FOR EACH ROW WHEN (NEW.text IS DISTINCT FROM OLD.text"
    " OR (NEW.audience = 'only_me' AND OLD.audience IS DISTINCT FROM 'only_me'))"
    " EXECUTE FUNCTION narration_resyncs_update_post()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS narration_resyncs_update_post ON narration",
    "DROP FUNCTION IF EXISTS narration_resyncs_update_post()",
)


def upgrade() -> None:
    op.add_column(
        "update_post",
        sa.Column("resync_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.add_column(
        "update_post",
        sa.Column("resync_tries", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_update_post_resync_at",
        "update_post",
        ["resync_at"],
        sqlite_where=RESYNC,
        postgresql_where=RESYNC,
    )
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)


def downgrade() -> None:
    """The older code doesn't know posts behind their narrations: they keep their text."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
    op.drop_index("ix_update_post_resync_at", table_name="update_post")
    with triggers_set_aside(), op.batch_alter_table("update_post") as batch:
        batch.drop_column("resync_tries")
        batch.drop_column("resync_at")
