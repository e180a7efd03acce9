"""Alembic environment: async engines, SQLite batch mode, and the URL from narrate-bot's settings.

Run from the CLI (``alembic upgrade head``, ``narrate-bot migrate``) or from inside a running event
loop, in which case the caller passes a connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import narrate_bot.storage.tables  # noqa: F401  (registers every table on the metadata)
from narrate_bot.config import Settings
from narrate_bot.storage.database import normalize_url
from narrate_bot.storage.fulltext import MANAGED_NAMES

config = context.config
target_metadata = SQLModel.metadata


def _include(_obj: Any, name: str | None, _type: str, _reflected: bool, _compare: Any) -> bool:
    """Leave the full-text index (FTS5 tables, the GIN expression index) to the migrations."""
    if name is None:
        return True
    return not (name in MANAGED_NAMES or name.startswith("narration_fts"))


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return normalize_url(url or Settings().database_url)


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        await connection.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
