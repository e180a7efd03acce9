"""A SQLite connection stopped while its close is under way still closes (aiosqlite 0.22).

SQLAlchemy closes a connection it invalidated mid-``BEGIN IMMEDIATE`` in a shielded task and, if
cancelled again meanwhile, stops aiosqlite's worker thread at once; that close then asked the
stopped worker to stop once more and waited for ever, hanging the event loop's close.
"""

from __future__ import annotations

import asyncio
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
