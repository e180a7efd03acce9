"""A later migration that rebuilds a table others reference keeps their rows (SQLite), and one
that leaves a row pointing nowhere is refused whole (both engines).

On SQLite Alembic's batch mode rebuilds a table: a copy, ``DROP TABLE`` of the old one, a rename.
With ``PRAGMA foreign_keys=ON`` that drop deleted every row hanging off ``tenant`` or
``narration`` through ``ON DELETE CASCADE``: a workspace's people, narrations, their topics and
search index gone at the next migration. Each test adds a revision of its own after head, as the
next migration would be, and migrates through ``narrate_bot.storage.migrate``, as every start
does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage import migrate
from narrate_bot.storage.database import Database
from tests.conftest import START, at_revision
from tests.helpers import Chat

HEAD = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
NEXT = "9901_test_later_migration"

# What the next migration altering these tables does: on SQLite a rebuild (copy, drop, rename)
# inside ``triggers_set_aside``, on PostgreSQL an ALTER TABLE in place.
REBUILD = f'''
import sqlalchemy as sa
from alembic import op

from narrate_bot_migrations.triggers import triggers_set_aside

revision = "{NEXT}"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None
TABLES = ("tenant", "narration", "person")


def _recreate() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    for table in TABLES:
        with triggers_set_aside(), op.batch_alter_table(table, recreate=_recreate()) as batch:
            batch.add_column(sa.Column("later", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with triggers_set_aside(), op.batch_alter_table(table, recreate=_recreate()) as batch:
            batch.drop_column("later")
'''

# A migration with a bug: it points a narration at a person who doesn't exist, after another
# change that must not stay either.
DANGLING = f'''
import sqlalchemy as sa
from alembic import op

revision = "{NEXT}"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenant", sa.Column("later", sa.Integer(), nullable=True))
    op.execute("UPDATE narration SET person_id = person_id + 1000")


def downgrade() -> None:
    op.drop_column("tenant", "later")
'''

COUNTED = ("tenant", "person", "channel", "narration", "narration_topic", "topic_preference")


@pytest.fixture
def next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder Alembic reads revisions from besides ours; the test writes ``next.py`` in it."""
    folder = tmp_path / "later_versions"
    folder.mkdir()
    original = migrate.alembic_config

    def with_later(url: str) -> Config:
        config = original(url)
        ours = Path(config.get_main_option("script_location") or "") / "versions"
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", f"{ours}{os.pathsep}{folder}")
        return config

    monkeypatch.setattr(migrate, "alembic_config", with_later)
    yield folder


async def _workspace(db: Database, tmp_path: Path) -> Chat:
    """Head, and a workspace with two people, their narrations, topics and preferences."""
    await at_revision(db, "head")
    clock = ManualClock(START)
    chat = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    await chat.say(
        "alice: /narrate tuned the kafka consumer lag alerts",
        "alice: /narrate ask-me-about kafka",
        "bob: /narrate migrated the ledger reports to terraform",
        "bob: /narrate follow kafka",
    )
    return chat


async def _counts(db: Database) -> dict[str, int]:
    async with db.engine.connect() as conn:
        return {
            table: (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
            for table in COUNTED
        }


async def _revision(db: Database) -> str:
    async with db.engine.connect() as conn:
        return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()


async def _search_hits(db: Database) -> list[int]:
    """What the full-text index finds for "kafka" (SQLite's FTS5 table; PostgreSQL's index is
    an expression over the rows themselves)."""
    if db.dialect != "sqlite":
        return []
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT rowid FROM narration_fts('kafka')"))
        return [row[0] for row in rows]


async def test_rebuilding_tenant_narration_and_person_keeps_every_row_hanging_off_them(
    empty_db, tmp_path, next_revision
):
    db = empty_db
    chat = await _workspace(db, tmp_path)
    before = await _counts(db)
    assert before["narration"] == 2 and before["narration_topic"] > 0
    hits = await _search_hits(db)
    assert len(hits) == (1 if db.dialect == "sqlite" else 0)
    answer = await chat.say("carol: /narrate who knows about kafka?")
    assert "alice" in answer

    (next_revision / "next.py").write_text(REBUILD)
    await migrate.upgrade(db)

    assert await _revision(db) == NEXT
    assert await _counts(db) == before
    assert await _search_hits(db) == hits
    assert await chat.say("carol: /narrate who knows about kafka?") == answer
    if db.dialect == "sqlite":
        async with db.engine.connect() as conn:  # the pooled connection has them on again
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_downgrading_a_rebuild_keeps_every_row_too(empty_db, tmp_path, next_revision):
    db = empty_db
    chat = await _workspace(db, tmp_path)
    (next_revision / "next.py").write_text(REBUILD)
    await migrate.upgrade(db)
    before = await _counts(db)
    answer = await chat.say("carol: /narrate who knows about kafka?")

    await migrate.downgrade(db, HEAD)

    assert await _revision(db) == HEAD
    assert await _counts(db) == before
    assert await chat.say("carol: /narrate who knows about kafka?") == answer


async def test_a_migration_leaving_a_row_pointing_nowhere_changes_nothing(
    empty_db, tmp_path, next_revision
):
    db = empty_db
    chat = await _workspace(db, tmp_path)
    before = await _counts(db)
    answer = await chat.say("carol: /narrate who knows about kafka?")

    (next_revision / "next.py").write_text(DANGLING)
    with pytest.raises(Exception) as failed:
        await migrate.upgrade(db)
    if db.dialect == "sqlite":
        assert str(failed.value) == (
            "migrating to head would leave broken references (2 rows of narration point at "
            "missing person rows), so nothing was changed"
        )
    # PostgreSQL refuses the UPDATE itself.

    assert await _revision(db) == HEAD
    async with db.engine.connect() as conn:
        columns = await conn.run_sync(lambda sync: inspect(sync).get_columns("tenant"))
    assert "later" not in [column["name"] for column in columns]
    assert await _counts(db) == before
    assert await chat.say("carol: /narrate who knows about kafka?") == answer
