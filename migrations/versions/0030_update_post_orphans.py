"""update posts: a post's place outlives its narration until the post is deleted
(``update_post_orphan``); a person's intro pace goes with their row

Revision ID: 0030_update_post_orphans
Revises: 0029_follow_schedule
Create Date: 2026-11-24

In a rolling deploy a replica still running the code from before 0025 serves ``/narrate
delete`` and forget-me on this schema. It deletes the narration; ``update_post`` cascades from
it; and the form update's post, which names its author, stays in the prompt's thread with
nothing left to find it by. Its forget-me also leaves ``intros.every.<person id>`` (the
person's introductions pace, a tenant setting added without a migration): it doesn't know it.

Triggers, because they are the one thing every version's deletes go through, whatever the code
(an older version's raw ``DELETE``, an ORM delete, a cascade from the person):

* ``BEFORE DELETE ON narration`` copies the place of the narration's post (workspace row id,
  channel, thread, post id) into ``update_post_orphan``, in the delete's own transaction.
  ``features.orphan_posts`` (the scheduler's every wake-up) deletes the post through the
  platform, then the row; a failure leaves the row for a later try. This code's own delete and
  forget-me remove the post as before, then its row (a failure there is tried again too). A
  post still going out (no post id yet) is skipped: its poster finds its claim gone and
  deletes it. BEFORE, not AFTER: ``update_post``'s cascade runs after the narration's row goes
  (at the end of the statement on PostgreSQL), so only a BEFORE trigger still reads it.
* ``AFTER DELETE ON person`` deletes that person's ``intros.every.<id>``. The keys an older
  version already left behind are deleted here once.

Why not ``update_post.narration_id ON DELETE SET NULL`` instead: the row keeps no workspace
(the platform needs it to delete the post, and a bare channel id is ambiguous across Slack
workspaces sharing a channel), a nullable FK needs a table rebuild on SQLite (batch mode), and
every version's claim/keep/find by ``narration_id`` would have to learn to skip orphans. The
tombstone table leaves ``update_post`` and its readers exactly as they were, on both engines.
The trigger's cost is one primary-key probe of ``update_post`` per deleted narration.

Every table involved: the triggers sit on ``narration`` and ``person``; their bodies read
``update_post``, ``tenant`` and ``tenant_setting``, and write ``update_post_orphan`` and
``tenant_setting``. On SQLite a later batch rebuild of ``narration`` or ``person`` drops its
trigger with the table, silently (``narration``'s full-text triggers from 0001 too), and one of
``update_post``, ``tenant``, ``tenant_setting`` or ``update_post_orphan`` fails at the rename
("error in trigger …: no such table: main.tenant"). Such a migration wraps its batch in
``narrate_bot_migrations.triggers.triggers_set_aside``; ``tests/storage/test_triggers.py``
fails when a trigger is missing at head.

Downgrading drops the triggers and the table: posts not yet deleted stay in their threads, as
the older code leaves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0030_update_post_orphans"
down_revision: str | None = "0029_follow_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
ORPHANED = (
    "INSERT INTO update_post_orphan (tenant_id, channel_id, thread_of, message_id, attempts)"
    " SELECT {old}.tenant_id, channel_id, thread_of, message_id, 0 FROM update_post"
    " WHERE narration_id = {old}.id AND message_id IS NOT NULL"
    # Not while the workspace itself goes (its rows cascade): nothing could delete the post then.
    " AND EXISTS (SELECT 1 FROM tenant WHERE tenant.id = {old}.tenant_id)"
)
PACE_GONE = (
    "DELETE FROM tenant_setting WHERE tenant_id = {old}.tenant_id"
    " AND key = 'intros.every.' || CAST({old}.id AS TEXT)"
)
SQLITE_UP = (
    "CREATE TRIGGER narration_orphans_update_post BEFORE DELETE ON narration BEGIN "
    + ORPHANED.format(old="old")
    + "; END",
    "CREATE TRIGGER person_forgets_intros_pace AFTER DELETE ON person BEGIN "
    + PACE_GONE.format(old="old")
    + "; END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS person_forgets_intros_pace",
    "DROP TRIGGER IF EXISTS narration_orphans_update_post",
)
# A BEFORE trigger's function must return OLD: NULL would cancel the narration's delete.
PG_UP = (
    "CREATE FUNCTION narration_orphans_update_post() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + ORPHANED.format(old="OLD") + "; RETURN OLD; END $$",
    "CREATE TRIGGER narration_orphans_update_post BEFORE DELETE ON narration"
    " FOR EACH ROW EXECUTE FUNCTION narration_orphans_update_post()",
    "CREATE FUNCTION person_forgets_intros_pace() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + PACE_GONE.format(old="OLD") + "; RETURN NULL; END $$",
    "CREATE TRIGGER person_forgets_intros_pace AFTER DELETE ON person"
    " FOR EACH ROW EXECUTE FUNCTION person_forgets_intros_pace()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS person_forgets_intros_pace ON person",
    "DROP FUNCTION IF EXISTS person_forgets_intros_pace()",
    "DROP TRIGGER IF EXISTS narration_orphans_update_post ON narration",
    "DROP FUNCTION IF EXISTS narration_orphans_update_post()",
)
# What an older version's forget-me left before this revision: a pace with no person behind it.
STRAY_PACES = (
    "DELETE FROM tenant_setting WHERE key LIKE 'intros.every.%' AND NOT EXISTS ("
    "SELECT 1 FROM person WHERE person.tenant_id = tenant_setting.tenant_id"
    " AND 'intros.every.' || CAST(person.id AS TEXT) = tenant_setting.key)"
)


def upgrade() -> None:
    op.create_table(
        "update_post_orphan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Text(), nullable=False),
        sa.Column("thread_of", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_update_post_orphan_retry_at", "update_post_orphan", ["retry_at"])
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)
    op.execute(STRAY_PACES)


def downgrade() -> None:
    """The older code neither keeps nor deletes orphaned posts: the places still waiting are
    dropped (their posts stay in their threads, as that code leaves them)."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
    op.drop_index("ix_update_post_orphan_retry_at", table_name="update_post_orphan")
    op.drop_table("update_post_orphan")
