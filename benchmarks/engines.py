"""Which database a benchmark builds: a SQLite file, or a PostgreSQL database it may wipe."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import make_url, text

from narrate_bot.storage.database import Database
from narrate_bot.storage.erasure_key import ERASURE_KEY_SETTING
from narrate_bot.storage.migrate import upgrade

# PostgreSQL has no default erasure key; a database wiped for the run takes any, as long as
# every ``Database`` (and worker process) of the run has the same.
BENCHMARK_ERASURE_KEY = "benchmark-erasure-key-" + "0" * 32


def use_benchmark_erasure_key() -> None:
    """The run's erasure key, unless one is set: before a benchmark opens a ``Database`` (or
    starts a process that does) on a PostgreSQL it was given, which otherwise refuses it."""
    os.environ.setdefault(ERASURE_KEY_SETTING, BENCHMARK_ERASURE_KEY)


def database_url(engine: str, *, path: Path, postgres_url: str | None, reuse: bool = False) -> str:
    """SQLite: ``path``, its old files removed unless ``reuse``. PostgreSQL: ``postgres_url`` or
    ``NARRATE_TEST_POSTGRES_URL`` (the caller wipes it), exiting with a message when neither is
    set, since a benchmark must never guess at a server to wipe."""
    if engine == "sqlite":
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        # Nor is a benchmark's file started the way that makes its key file (only the
        # startup check does): it takes the run's key too.
        use_benchmark_erasure_key()
        return f"sqlite:///{path}"
    url = postgres_url or os.environ.get("NARRATE_TEST_POSTGRES_URL", "")
    if not url:
        sys.exit("--engine postgres needs --postgres-url or NARRATE_TEST_POSTGRES_URL")
    use_benchmark_erasure_key()
    return url


async def fresh_database(url: str) -> Database:
    """A database at ``url``, wiped and migrated (on PostgreSQL created first if missing), so a
    run never measures what an earlier run left behind."""
    use_benchmark_erasure_key()
    db = Database(url)
    if db.dialect == "postgresql":
        name = make_url(url).database
        maintenance = make_url(url).set(database="postgres").render_as_string(hide_password=False)
        server = Database(maintenance).engine.execution_options(isolation_level="AUTOCOMMIT")
        async with server.connect() as conn:
            found = await conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if found.first() is None:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await server.dispose()
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(db)
    return db
