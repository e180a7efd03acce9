"""Migration 0060 (``erasure_key_check``), on both engines: the check value of the key the
forget-me marks are written with, for the whole database. A workspace's value written before is
copied into it, so a replica with another key is refused at its start; with none, the first
start notes its own. Down and up again is clean (``alembic check``). The revision is also what
makes a version from before keyed marks refuse to start on the database (it doesn't know it)."""

from __future__ import annotations

from datetime import UTC

import pytest

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from narrate_bot.storage.erasure_key import CHECK_KEY, ErasureKey
from narrate_bot.storage.migrate import check, upgrade
from narrate_bot_adapters.serve import StartupError, prepare_database
from tests.conftest import START, TEST_ERASURE_KEY
from tests.scenarios.forgotten_reader import forgotten_u2
from tests.storage.test_migrations import _downgrade, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0059_place_lookup"
OTHER_KEY = "another-replicas-key-" + "1" * 32


def _check_value(key: str) -> str:
    return ErasureKey(key.encode(), "a test").check_value


async def _noted(db: Database) -> object:
    return await _run(db, "SELECT value FROM erasure_key_check WHERE id = 1")


async def _refused(db: Database, key: str) -> None:
    other = Database(db.url, erasure_key=key)
    try:
        with pytest.raises(StartupError):
            await prepare_database(other)
    finally:
        await other.dispose()


async def test_a_workspaces_check_value_becomes_the_databases(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _run(
        db,
        "INSERT INTO tenant_setting (tenant_id, key, value, updated_at) VALUES (:t, :k, :v, :at)",
        t=ids["tenant"],
        k=CHECK_KEY,
        v=_check_value(TEST_ERASURE_KEY),
        at=START.astimezone(UTC),
    )
    await upgrade(db)
    await check(db)
    assert await _noted(db) == _check_value(TEST_ERASURE_KEY)
    await _refused(db, OTHER_KEY)
    await prepare_database(db)  # the key the marks were written with

    await _downgrade(db, BEFORE)
    await upgrade(db)
    await check(db)


async def test_with_no_value_yet_the_first_start_notes_its_key(empty_db):
    db = empty_db
    await _workspace(db, BEFORE)
    await upgrade(db)
    await check(db)
    assert await _noted(db) is None
    await prepare_database(db)
    assert await _noted(db) == _check_value(TEST_ERASURE_KEY)
    await _refused(db, OTHER_KEY)


async def test_down_and_up_again_keeps_the_check_value(db: Database, clock: ManualClock):
    """Downgrading puts the check value back in each workspace's setting (what the code from
    before reads, and upgrading moves back): down and up again, a replica with another key is
    still refused while someone forgotten is marked."""
    await prepare_database(db)
    await forgotten_u2(Bot(db=db, clock=clock, settings=Settings()), db)
    await _downgrade(db, BEFORE)
    assert await _run(
        db, "SELECT value FROM tenant_setting WHERE key = :k", k=CHECK_KEY
    ) == _check_value(TEST_ERASURE_KEY)
    await upgrade(db)
    await check(db)
    assert await _noted(db) == _check_value(TEST_ERASURE_KEY)
    await _refused(db, OTHER_KEY)
    await prepare_database(db)
