"""A SQLite connection stopped while its close is under way still closes (aiosqlite 0.22).

SQLAlchemy closes a connection it invalidated mid-``BEGIN IMMEDIATE`` in a shielded task and, if
cancelled again meanwhile, stops aiosqlite's worker thread at once; that close then asked the
stopped worker to stop once more and waited for ever, hanging the event loop's close.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from narrate_bot.storage.database import Database


async def test_a_close_overtaken_by_a_stop_still_returns(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'narrate.db'}")
    try:
        async with db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            closing = asyncio.create_task(driver.close())
            await asyncio.sleep(0)  # the close is queued behind nothing, not yet answered
            driver.stop()  # SQLAlchemy's terminate giving up on the graceful close
            # A guard against the hang only, far past any correct run.
            await asyncio.wait_for(closing, timeout=60)
            driver._thread.join(60)
            assert not driver._thread.is_alive()  # the worker ended: nothing keeps the exit
            await conn.invalidate()
    finally:
        await db.dispose()


# A connection set up by the engine's own connect hook, never closed and freed by the cycle
# collector: aiosqlite's ``__del__`` stops its worker thread, which is no daemon, so nothing
# else ends it. The stop-once wrapper of 0a1cf9b held the bound ``stop`` weakly, cleared before
# ``__del__`` ran: the worker lived on and the interpreter's exit waited for it for ever.
_UNCLOSED_AND_COLLECTED = """
import asyncio, gc, sys, warnings
from pathlib import Path
from types import SimpleNamespace

import aiosqlite

from narrate_bot.storage.database import Database

warnings.simplefilter("ignore", ResourceWarning)  # the unclosed connection is the point


async def main(folder):
    db = Database(f"sqlite:///{Path(folder) / 'narrate.db'}")
    driver = await aiosqlite.connect(Path(folder) / "other.db")
    worker = driver._thread
    try:
        async with db.engine.connect() as conn:

            def set_up(sync_conn):
                record = SimpleNamespace(driver_connection=driver)
                for listener in db.engine.sync_engine.pool.dispatch.connect:
                    listener(sync_conn.connection.dbapi_connection, record)

            await conn.run_sync(set_up)
    finally:
        await db.dispose()
    driver.cycle = driver
    del driver
    gc.collect()
    worker.join(30)
    return worker.is_alive()


print("worker alive:", asyncio.run(main(sys.argv[1])), flush=True)
"""


def test_an_unclosed_connection_freed_by_the_collector_stops_its_worker(tmp_path: Path) -> None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _UNCLOSED_AND_COLLECTED, str(tmp_path)],
            capture_output=True,
            text=True,
            # A guard against the hang only, far past any correct run.
            timeout=120,
        )
    except subprocess.TimeoutExpired as hung:
        raise AssertionError(f"the process never exited: {hung.stdout!r}") from None
    assert "worker alive: False" in done.stdout, (done.stdout, done.stderr)
    assert done.returncode == 0, done.stderr
