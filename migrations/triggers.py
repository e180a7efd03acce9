"""The database triggers of narrate-bot's schema, kept through a later SQLite table rebuild.

On SQLite, Alembic's batch mode alters a table by copying it into a new one, dropping the old
and renaming the copy. That breaks the schema's triggers two ways:

* dropping a table drops the triggers *on* it, silently: the full-text triggers on
  ``narration`` (0001), ``narration_orphans_update_post`` on ``narration`` and
  ``person_forgets_intros_pace`` on ``person`` (0030), ``topic_preference_schedules_follow``
  on ``topic_preference`` (0035);
* renaming the copy fails while a trigger's body names the table dropped a moment before
  ("error in trigger …: no such table: main.tenant"): 0030's bodies read ``update_post``,
  ``tenant`` and ``tenant_setting``; 0035's writes ``follow_schedule``.

A migration that rebuilds a table on SQLite wraps the batch in ``triggers_set_aside``::

    with triggers_set_aside(), op.batch_alter_table("tenant") as batch:
        batch.add_column(...)

It sets aside every trigger of the schema (there are a handful: checking which ones a rebuild
touches would mean parsing their bodies, and one missed fails the upgrade or loses a trigger
for good), then creates each again from the SQL SQLite kept for it, so they come back exactly
as they were, whatever revision made them. Rows the rebuild copies fire no trigger (the copy
has none yet), so the full-text index is neither doubled nor emptied. On PostgreSQL a table is
altered in place and keeps its triggers: nothing to do.

Dropping a table others reference with ``ON DELETE CASCADE`` (``tenant``, ``person``,
``narration``) would delete their rows while ``PRAGMA foreign_keys`` is on (every connection of
ours): ``narrate_bot.storage.migrate`` switches it off around the migration's transaction and
runs ``PRAGMA foreign_key_check`` before committing instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

LISTED = text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")


def sqlite_triggers(connection: Connection) -> list[tuple[str, str]]:
    """Every trigger of a SQLite schema: its name and the SQL that created it."""
    return [(row[0], row[1]) for row in connection.execute(LISTED).all()]


@contextmanager
def triggers_set_aside(connection: Connection | None = None) -> Iterator[None]:
    """Drop every trigger on SQLite for the block (a batch rebuild), then create them again.

    ``connection`` defaults to the running migration's (``op.get_bind()``). On PostgreSQL,
    nothing happens."""
    bind = connection if connection is not None else op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    kept = sqlite_triggers(bind)
    for name, _ in kept:
        bind.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in kept:
        bind.exec_driver_sql(sql)
