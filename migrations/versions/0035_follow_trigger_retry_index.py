"""follows any version saves get their digest turn (a trigger); update-post retries indexed

Revision ID: 0035_follow_trigger_retry_index
Revises: 0034_narration_copies
Create Date: 2026-11-24

Since 0029 a follower's digest goes out only when they have a ``follow_schedule`` row, and only
this code's ``/narrate follow`` adds one. In a rolling deploy a replica still on the code from
before 0029 keeps saving follows as ``topic_preference`` rows alone: those followers never got
a digest again. ``AFTER INSERT ON topic_preference`` (kind ``follow``) now gives the follower
a row when they have none, whatever version inserted the follow; the followers an older
replica saved since 0029 get theirs here once. Their row is due at the follow's own time
(``created_at``: the time of the version's clock, written in the column's own format): a
trigger can't work out a Monday 09:00 in a time zone, and doesn't need to, as the scheduler
looks at a row due early and moves it on to the follower's next Monday (a new follower waits
a whole week, as with this code). This code's own follow keeps computing that Monday, but the
trigger has added the row by then (``ON CONFLICT DO NOTHING`` keeps the first), so a new
follower's row is looked at once by the next wake-up and moved on: one extra turn per new
follower. The trigger's cost is one primary-key probe of ``follow_schedule`` per follow saved.

``ix_update_post_retry_at`` (``retry_at`` of posts not out and waiting for a retry) and
``ix_update_post_unsure`` (``claimed_at`` of posts not out with no retry waiting) are partial
indexes: the scheduler's wake-up asks when the next retry or look is due, and without them
read every ``update_post`` row (one per form update ever posted). They hold only the few
rows in flight.

SQLite drops a table's triggers with the table, and refuses to rename a table while a trigger
names one missing: a later batch rebuild wraps itself in ``triggers_set_aside``
(``narrate_bot_migrations.triggers``).

Downgrading drops the trigger and the indexes; rows the trigger or this upgrade added stay,
as 0029's own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035_follow_trigger_retry_index"
down_revision: str | None = "0034_narration_copies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
SCHEDULED = (
    "INSERT INTO follow_schedule (person_id, tenant_id, due_at)"
    " SELECT {new}.person_id, {new}.tenant_id, {new}.created_at WHERE true"
    " ON CONFLICT (person_id) DO NOTHING"
)
SQLITE_UP = (
    "CREATE TRIGGER topic_preference_schedules_follow AFTER INSERT ON topic_preference"
    " WHEN new.kind = 'follow' BEGIN " + SCHEDULED.format(new="new") + "; END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS topic_preference_schedules_follow",)
PG_UP = (
    "CREATE FUNCTION topic_preference_schedules_follow() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN " + SCHEDULED.format(new="NEW") + "; RETURN NULL; END $$",
    "CREATE TRIGGER topic_preference_schedules_follow AFTER INSERT ON topic_preference"
    " FOR EACH ROW WHEN (NEW.kind = 'follow')"
    " EXECUTE FUNCTION topic_preference_schedules_follow()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS topic_preference_schedules_follow ON topic_preference",
    "DROP FUNCTION IF EXISTS topic_preference_schedules_follow()",
)
# Followers an older replica saved after 0029 filled the table: each gets a row, due at once.
UNSCHEDULED = (
    "INSERT INTO follow_schedule (person_id, tenant_id, due_at)"
    " SELECT person_id, MIN(tenant_id), MIN(created_at) FROM topic_preference"
    " WHERE kind = 'follow' AND NOT EXISTS ("
    "SELECT 1 FROM follow_schedule WHERE follow_schedule.person_id = topic_preference.person_id)"
    " GROUP BY person_id"
)
WAITING = sa.text("message_id IS NULL AND retry_at IS NOT NULL")
UNSURE = sa.text("message_id IS NULL AND retry_at IS NULL")


def upgrade() -> None:
    op.execute(UNSCHEDULED)
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(statement)
    op.create_index(
        "ix_update_post_retry_at",
        "update_post",
        ["retry_at"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )
    op.create_index(
        "ix_update_post_unsure",
        "update_post",
        ["claimed_at"],
        sqlite_where=UNSURE,
        postgresql_where=UNSURE,
    )


def downgrade() -> None:
    """The older code adds a follower's row itself; its wake-up reads ``update_post`` whole."""
    op.drop_index("ix_update_post_unsure", table_name="update_post")
    op.drop_index("ix_update_post_retry_at", table_name="update_post")
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
