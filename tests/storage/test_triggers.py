"""The schema's database triggers: each one a later migration must keep, checked at head on
both engines (a migration that drops one, or a SQLite batch rebuild that loses one silently,
fails here), and ``triggers_set_aside`` keeping them all through a rebuild of the tables they
sit on or read (without it, SQLite refuses to rebuild ``tenant`` and drops the triggers of
``narration``, ``person`` and ``topic_preference`` with their tables)."""

from __future__ import annotations

from datetime import UTC

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text
from sqlalchemy.engine import Connection

from narrate_bot.storage.database import Database
from narrate_bot_migrations.triggers import sqlite_triggers, triggers_set_aside
from tests.conftest import START, at_revision

EVERY_ENGINE = {
    # What each does, and the revision that made it.
    "narration_orphans_update_post",  # 0030: a deleted narration's post is still deleted
    "person_forgets_intros_pace",  # 0030: a person's intro pace goes with them
    "topic_preference_schedules_follow",  # 0035: any version's follow gets its digest
    "narration_keeps_quotes_gone",  # 0037: a deleted narration's DM lines are still edited
    "intro_member_retracts_post",  # 0037: a forgotten member's introduction post is edited
    "open_question_keeps_lines_gone",  # 0040: a deleted question's digest lines are taken out
    "narration_resyncs_update_post",  # 0044: any version's edit or unshare reaches its post
    "narration_keeps_quoted_text",  # 0047: any version's edit or unshare reaches its quotes
    "schedule_send_marks_intro",  # 0057: any version's sent introduction counts as delivered
    "narration_index_rules_unknown",  # 0061: an older version's edit is re-indexed at a start
}
SQLITE_ONLY = {
    "narration_fts_ai",  # 0001: FTS5 index
    "narration_fts_ad",
    "narration_fts_au",
    "narration_fts_au_stale",  # 0052: an older version's edit leaves no stale CJK pairs
}
POSTGRES_ONLY = {"narration_search_text_stale"}  # 0052: the same, before text_tsv is computed


def _expected(db: Database) -> set[str]:
    return EVERY_ENGINE | (SQLITE_ONLY if db.dialect == "sqlite" else POSTGRES_ONLY)


async def _triggers(db: Database) -> set[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if db.dialect == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    async with db.engine.connect() as conn:
        return {row[0] for row in (await conn.execute(text(query))).all()}


async def test_every_trigger_is_there_at_head(db):
    expected = _expected(db)
    assert await _triggers(db) == expected


def _rebuild(table: str):
    """What a later migration altering ``table`` does on SQLite (a copy, a drop, a rename),
    inside ``triggers_set_aside``; on PostgreSQL an ``ALTER TABLE`` in place."""

    def run(connection: Connection) -> None:
        ops = Operations(MigrationContext.configure(connection, opts={"render_as_batch": True}))
        always = connection.dialect.name == "sqlite"
        with (
            triggers_set_aside(connection),
            ops.batch_alter_table(table, recreate="always" if always else "auto") as batch,
        ):
            batch.add_column(sa.Column("later", sa.Integer(), nullable=True))

    return run


async def _run(db: Database, statement: str, **values: object) -> list[tuple[object, ...]]:
    async with db.engine.begin() as conn:
        result = await conn.execute(text(statement), values)
        return [tuple(row) for row in result.all()] if result.returns_rows else []


@pytest.mark.parametrize("table", ["tenant", "narration", "person", "topic_preference"])
async def test_a_rebuild_inside_triggers_set_aside_keeps_every_trigger_working(empty_db, table):
    db = empty_db
    await at_revision(db, "head")
    if db.dialect == "sqlite":
        async with db.engine.connect() as conn:
            before = await conn.run_sync(sqlite_triggers)
    async with db.engine.begin() as conn:
        await conn.run_sync(_rebuild(table))
    assert await _triggers(db) == _expected(db)
    if db.dialect == "sqlite":
        async with db.engine.connect() as conn:
            assert await conn.run_sync(sqlite_triggers) == before  # as they were, to the letter

    # And they still do their work on the rebuilt tables.
    at = START.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    (tenant,) = (
        await _run(
            db,
            "INSERT INTO tenant (platform, external_id, name, created_at)"
            " VALUES ('slack', 'T1', 'Acme', :at) RETURNING id",
            at=at,
        )
    )[0]
    (channel,) = (
        await _run(
            db,
            "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
            " VALUES (:t, 'C1', 'team', 'public', false) RETURNING id",
            t=tenant,
        )
    )[0]
    (person,) = (
        await _run(
            db,
            "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
            " VALUES (:t, 'U1', 'zoe', 'joined', false, :at) RETURNING id",
            t=tenant,
            at=at,
        )
    )[0]
    (narration,) = (
        await _run(
            db,
            "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
            " text, created_at) VALUES (:t, :p, :c, 1, 'prompt_reply', 'channel',"
            " 'tuned the kafka consumer', :at) RETURNING id",
            t=tenant,
            p=person,
            c=channel,
            at=at,
        )
    )[0]
    if db.dialect == "sqlite":
        assert await _run(
            db, "SELECT rowid FROM narration_fts WHERE narration_fts MATCH 'kafka'"
        ) == [(narration,)]
    await _run(
        db,
        "INSERT INTO update_post (narration_id, channel_id, thread_of, message_id, claimed_at)"
        " VALUES (:n, 'C1', '1.000001', '1.2', :at)",
        n=narration,
        at=at,
    )
    await _run(
        db,
        "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic, created_at)"
        " VALUES (:p, 'follow', 'kafka', :t, 'kafka', :at)",
        p=person,
        t=tenant,
        at=at,
    )
    assert await _run(db, "SELECT person_id FROM follow_schedule") == [(person,)]
    await _run(
        db,
        "INSERT INTO tenant_setting (tenant_id, key, value, updated_at) VALUES (:t, :k, '2', :at)",
        t=tenant,
        k=f"intros.every.{person}",
        at=at,
    )
    await _run(db, "DELETE FROM narration WHERE id = :n", n=narration)
    assert await _run(db, "SELECT message_id FROM update_post_orphan") == [("1.2",)]
    await _run(db, "DELETE FROM person WHERE id = :p", p=person)
    assert await _run(db, "SELECT key FROM tenant_setting") == []
