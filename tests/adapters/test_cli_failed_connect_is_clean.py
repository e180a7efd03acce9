"""``narrate-bot migrate --db <a folder>`` (or ``--db ''``) says it can't open the database and
stops: never followed by aiosqlite's "Exception in thread ... Event loop is closed" traceback,
which a failed open used to print in about one run in three."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from narrate_bot_adapters.serve import StartupError, open_database, prepare_database
from tests.adapters.entry_point import narrate_bot

RUNS = 12  # in all, over both parametrized cases; the in-process test above does 100


def test_a_failed_sqlite_open_leaves_no_thread_to_fail_after_the_loop_closes(tmp_path, monkeypatch):
    """In one process, the way ``migrate``, ``run`` and ``console`` use it: many attempts, each
    in its own event loop, and no thread may die after its loop has closed."""
    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))

    async def attempt() -> str:
        db = open_database(f"sqlite+aiosqlite:///{tmp_path}", setting="--db")
        try:
            await prepare_database(db, setting="--db")
        except StartupError as problem:
            return str(problem)
        finally:
            await db.dispose()
        return "connected"

    messages = {asyncio.run(attempt()) for _ in range(100)}
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=5)
    assert len(messages) == 1 and "unable to open database file" in messages.pop()
    assert died == []


@pytest.mark.parametrize("where", ["", "folder"])
def test_migrate_into_a_folder_is_one_line_every_time(tmp_path, where):
    db = "" if where == "" else str(tmp_path)

    def once(_: int) -> tuple[int, str]:
        result = narrate_bot("migrate", "--db", db, cwd=tmp_path)
        return result.returncode, result.stderr

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(once, range(RUNS // 2)))
    for code, stderr in results:
        assert code == 2, stderr
        assert "Traceback" not in stderr and "Exception in thread" not in stderr, stderr
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Can't connect to the database "), stderr
        assert "unable to open database file" in lines[0]
