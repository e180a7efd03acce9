"""introductions: the send that records a post as sent marks its introduction delivered
(``schedule_send_marks_intro``, a trigger)

Revision ID: 0057_intro_sent_marks_delivered
Revises: 0056_narration_channel_index
Create Date: 2026-11-25

0055 marked an introduction delivered from the sender's code, in a savepoint of its own after
the send's outcome: a failed mark was never tried again, so the introduction read as never
sent (no follow-up, nobody rested, its pair free to be introduced again next week) although it
went out. And a replica still on code from before 0055, during a rolling deploy, sends
introductions without marking them at all.

A trigger, as in 0030/0037, since every version records a send the same way: ``AFTER UPDATE OF
status ON schedule_send``, when a send goes from ``pending`` to ``sent``, is a post of a job
(part ``post-*``) of an ``intros`` schedule, and its payload (the post as JSON, still the old
row's: the outcome clears it) says "Introduction #N:", introduction N of the send's tenant is
marked delivered at the send's ``sent_at``, if it isn't already. So the mark is written by the
very statement that records the post as sent, in any version: it commits with the outcome or
not at all (and then the send is tried again, the scheduler's one duplicate window). A payload
that isn't JSON, or says no number, marks nothing and never fails the outcome. The sender's own
mark stays, for a post recorded by another process that took the send over.

Introductions already sent unmarked by such a replica are backfilled where the post is on
record: an introduction with a channel post (``intro_post``) went out.

Downgrading drops the trigger: the sender marks delivery itself again.

On SQLite the upgrade first checks that its JSON functions exist (JSON1), and stops with a
clear error if not: the trigger would be created all the same, and every send's outcome fail.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0057_intro_sent_marks_delivered"
down_revision: str | None = "0056_narration_channel_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep doing what it did when later code changes.
WHEN = (
    "{old}.status = 'pending' AND {new}.status = 'sent' AND {new}.part LIKE 'post-%'"
    " AND {old}.payload IS NOT NULL"
)
MARK = (
    "UPDATE introduction SET delivered_at = COALESCE({new}.sent_at, introduction.created_at)"
    " WHERE introduction.tenant_id = {new}.tenant_id AND introduction.number = {number}"
    " AND introduction.delivered_at IS NULL"
    " AND EXISTS (SELECT 1 FROM schedule WHERE schedule.id = {new}.schedule_id"
    " AND schedule.kind = 'intros')"
)
# "Introduction #" is 14 characters: the number runs from the 15th to the first colon, and is
# digits only (a text like "Introduction #x:" names nothing).
SQLITE_NUMBER = (
    "(SELECT CAST(substr(t, 15, instr(t, ':') - 15) AS INTEGER)"
    " FROM (SELECT CASE WHEN json_valid(old.payload) THEN json_extract(old.payload, '$.text')"
    " END AS t)"
    " WHERE t GLOB 'Introduction #[0-9]*:*'"
    " AND substr(t, 15, instr(t, ':') - 15) NOT GLOB '*[^0-9]*'"
    " AND length(substr(t, 15, instr(t, ':') - 15)) <= 9)"
)
SQLITE_UP = (
    "CREATE TRIGGER schedule_send_marks_intro AFTER UPDATE OF status ON schedule_send"
    " FOR EACH ROW WHEN "
    + WHEN.format(old="old", new="new")
    + " BEGIN "
    + MARK.format(new="new", number=SQLITE_NUMBER)
    + "; END",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS schedule_send_marks_intro",)
# A payload PostgreSQL can't read as JSON (or a number past an integer) marks nothing: the
# block's exception is caught, so the outcome's UPDATE never fails for it.
PG_UP = (
    "CREATE FUNCTION schedule_send_marks_intro() RETURNS trigger LANGUAGE plpgsql AS $$"
    " DECLARE intro_number integer;"
    " BEGIN"
    " BEGIN"
    " intro_number := substring(OLD.payload::json ->> 'text' from '^Introduction #([0-9]+):')::integer;"
    " EXCEPTION WHEN others THEN RETURN NULL;"
    " END;"
    " IF intro_number IS NOT NULL THEN "
    + MARK.format(new="NEW", number="intro_number")
    + "; END IF;"
    " RETURN NULL; END $$",
    "CREATE TRIGGER schedule_send_marks_intro AFTER UPDATE OF status ON schedule_send"
    " FOR EACH ROW WHEN (" + WHEN.format(old="OLD", new="NEW") + ")"
    " EXECUTE FUNCTION schedule_send_marks_intro()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS schedule_send_marks_intro ON schedule_send",
    "DROP FUNCTION IF EXISTS schedule_send_marks_intro()",
)
BACKFILL = (
    "UPDATE introduction SET delivered_at = created_at WHERE delivered_at IS NULL"
    " AND id IN (SELECT introduction_id FROM intro_post)"
)


def _require_sqlite_json(bind: sa.engine.Connection) -> None:
    """The trigger reads the payload with SQLite's JSON functions (JSON1: built in since 3.38,
    a compile-time option before). SQLite resolves a trigger's functions only when it fires, so
    without them every later UPDATE of a send's status would fail, not this upgrade: refuse it
    here instead, saying why. Only reads: a database that has this revision already is never
    asked again."""
    try:
        bind.exec_driver_sql("SELECT json_valid('{}'), json_extract('{}', '$.text')").all()
    except sa.exc.DBAPIError as problem:
        raise RuntimeError(
            "migration 0057 needs SQLite's JSON functions (json_valid, json_extract), which "
            f"this SQLite ({sqlite_version(bind)}) lacks: use SQLite 3.38 or later, or a build "
            "with JSON1"
        ) from problem


def sqlite_version(bind: sa.engine.Connection) -> str:
    return str(bind.exec_driver_sql("SELECT sqlite_version()").scalar())


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _require_sqlite_json(bind)
    for statement in SQLITE_UP if bind.dialect.name == "sqlite" else PG_UP:
        op.execute(statement)
    op.execute(BACKFILL)


def downgrade() -> None:
    """The backfilled marks stay: they are true, and 0055's column keeps them."""
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(statement)
