"""Which database a benchmark builds: a SQLite file, or a PostgreSQL database it may wipe."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def database_url(engine: str, *, path: Path, postgres_url: str | None, reuse: bool = False) -> str:
    """SQLite: ``path``, its old files removed unless ``reuse``. PostgreSQL: ``postgres_url`` or
    ``NARRATE_TEST_POSTGRES_URL`` (the caller wipes it), exiting with a message when neither is
    set, since a benchmark must never guess at a server to wipe."""
    if engine == "sqlite":
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = postgres_url or os.environ.get("NARRATE_TEST_POSTGRES_URL", "")
    if not url:
        sys.exit("--engine postgres needs --postgres-url or NARRATE_TEST_POSTGRES_URL")
    return url
