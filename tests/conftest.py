"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when named), a frozen
clock, the bot, and the console adapter as the end-to-end harness."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from tests.helpers import Chat

POSTGRES_URL = os.environ.get("NARRATE_TEST_POSTGRES_URL")
ENGINES = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
START = datetime.fromisoformat("2026-11-23T09:00:00+01:00")

_template: dict[str, Path] = {}
_postgres_ready: list[bool] = []


@pytest.fixture(autouse=True)
def _no_real_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A developer's real tokens or database must never reach a test."""
    for name in list(os.environ):
        if name.startswith(("NARRATE_SLACK", "NARRATE_DISCORD", "SLACK_", "DISCORD_")) or name in (
            "NARRATE_DATABASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
    yield


async def _sqlite_db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    if "sqlite" not in _template:
        folder = tmp_path_factory.mktemp("template")
        template = folder / "template.db"
        db = Database(f"sqlite:///{template}")
        await upgrade(db)
        await db.dispose()
        _template["sqlite"] = template
    target = tmp_path / "narrate.db"
    shutil.copyfile(_template["sqlite"], target)
    return Database(f"sqlite:///{target}")


async def _postgres_db() -> Database:
    assert POSTGRES_URL is not None
    db = Database(POSTGRES_URL)
    async with db.engine.begin() as conn:
        if not _postgres_ready:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        else:
            await conn.execute(text("TRUNCATE tenant RESTART IDENTITY CASCADE"))
    if not _postgres_ready:
        await upgrade(db)
        _postgres_ready.append(True)
    return db


@pytest.fixture(params=ENGINES)
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    database = (
        await _sqlite_db(tmp_path, tmp_path_factory)
        if request.param == "sqlite"
        else await _postgres_db()
    )
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def bot(db: Database, clock: ManualClock) -> Bot:
    return Bot(db=db, clock=clock, settings=Settings())


@pytest.fixture
def chat(bot: Bot, clock: ManualClock, tmp_path: Path) -> Chat:
    return Chat.create(bot, clock, export_dir=tmp_path / "exports")
