"""``Database.dispose()`` at shutdown closes a connection a background task still held when it
was called, once the task gives it back: the pool's dispose closed only the connections checked
in, and one checked out came back to a pool nobody used again. It stayed open (a PostgreSQL
backend, an SQLite worker thread that keeps the process from exiting) until the garbage
collector happened to find it, warning in whichever test it then ran."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import text
from sqlalchemy.engine import make_url

from narrate_bot.storage.database import Database

APP_NAME = "narrate-dispose-probe"


async def _left_open(db: Database, probe: Database, threads: set[threading.Thread]) -> int:
    """How many of ``probe``'s connections are still open: PostgreSQL backends under its
    application name, or SQLite worker threads started since ``threads`` (each ends when its
    connection closes; given a moment to, as a closed connection's worker stops on its own)."""
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            found = await conn.execute(
                text("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": APP_NAME},
            )
            return int(found.scalar_one())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10.0  # only a leak waits this long
    while True:
        alive = [t for t in threading.enumerate() if t not in threads and not t.daemon]
        if not alive or loop.time() > deadline:
            return len(alive)
        await asyncio.sleep(0.01)


async def test_a_connection_held_by_a_task_at_dispose_is_closed_when_given_back(
    db: Database,
) -> None:
    url = db.url
    if db.dialect == "postgresql":
        url = make_url(url).update_query_dict({"application_name": APP_NAME})
        url = url.render_as_string(hide_password=False)
    threads = set(threading.enumerate())
    probe = Database(url)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def background_job() -> None:
        async with probe.transaction() as session:
            await (await session.connection()).execute(text("SELECT COUNT(*) FROM tenant"))
            holding.set()
            await release.wait()

    job = asyncio.create_task(background_job())
    try:
        await asyncio.wait_for(holding.wait(), 30)  # only a broken job waits this long
        await probe.dispose()  # shutdown while the job still holds its connection
        release.set()
        await job
        assert await _left_open(db, probe, threads) == 0
    finally:
        release.set()
        await job
        await probe.dispose()
