"""The SQLite index scrub must finish even when FTS5's own merge stalls or the process dies.

A positive ``('merge', N)`` step continues the merge under way only while no lower level holds
as many segments as that merge has inputs: two narrations stored between steps stalled it, and
the scrub, taking "no work" for "done", replied "It's gone from search too" with the deleted word
still in the index's blocks. A process killed between two steps left the word, and FTS5's
automerge off, until the next person's delete. (PostgreSQL has no scrub: SQLite only.)
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from narrate_bot.storage import index_scrub
from narrate_bot.storage.database import Database
from narrate_bot_adapters.serve import prepare_database
from tests.helpers import Chat
from tests.storage.test_index_scrub import _blocks_holding, _fill, _path

SQLITE = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _automerge(path: str) -> int:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT v FROM narration_fts_config WHERE k = 'automerge'").fetchone()
    return 4 if row is None else int(row[0])  # absent: FTS5's default


@SQLITE
async def test_narrations_stored_mid_scrub_cannot_stall_it_short_of_the_deleted_word(
    chat: Chat, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_scrub, "STEP_PAGES", 1)
    await chat.say("alice: /narrate quokkaformation rollout", "carol: /narrate kafka streams")
    await _fill(db, "carol", narrations=6000, batches=1)
    # A delete and its scrub: the index is one segment again.
    await chat.say("carol: /narrate scratch note", "carol: /narrate delete 6002")
    step = index_scrub._step
    steps: list[int] = []

    async def step_then_others_narrate(database: Database, pages: int, **kw: Any) -> Any:
        result = await step(database, pages, **kw)
        steps.append(pages)
        if len(steps) == 1:  # two people narrate while the merge is under way
            await chat.say("bob: /narrate kiwifruit one", "dave: /narrate kiwifruit two")
        return result

    monkeypatch.setattr(index_scrub, "_step", step_then_others_narrate)
    assert "gone from search too" in await chat.say("alice: /narrate delete 1")
    assert _blocks_holding(_path(db), b"quokkaform") == 0
    assert _automerge(_path(db)) == 4
    assert "kiwifruit" in await chat.say("zoe: /narrate who kiwifruit")


CHILD = textwrap.dedent(
    """
    import asyncio, os, sys
    from pathlib import Path
    from narrate_bot.app import Bot
    from narrate_bot.clock import ManualClock
    from narrate_bot.config import Settings
    from narrate_bot.storage import index_scrub
    from narrate_bot.storage.database import Database
    from tests.conftest import START
    from tests.helpers import Chat

    async def main() -> None:
        db = Database(f"sqlite:///{sys.argv[1]}")
        clock = ManualClock(START)
        chat = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock,
                           export_dir=Path(sys.argv[1]).parent / "x")
        index_scrub.STEP_PAGES = 1
        step = index_scrub._step
        async def step_then_die(database, pages, **kw):
            await step(database, pages, **kw)
            os._exit(9)  # killed between two steps, after the delete committed
        index_scrub._step = step_then_die
        await chat.say("alice: /narrate delete 1")

    asyncio.run(main())
    """
)


@SQLITE
async def test_the_next_start_finishes_a_scrub_the_process_died_in(
    chat: Chat, db: Database
) -> None:
    await chat.say("alice: /narrate quokkaformation rollout", "carol: /narrate kafka streams")
    await _fill(db, "carol", narrations=3000, batches=3)
    path = _path(db)
    await db.dispose()
    died = subprocess.run(
        [sys.executable, "-c", CHILD, path], cwd=str(Path(__file__).parents[2]), check=False
    )
    assert died.returncode == 9
    assert _automerge(path) == 0 and _blocks_holding(path, b"quokkaform") > 0  # as it died
    restarted = Database(f"sqlite:///{path}")
    try:
        await prepare_database(restarted)  # what `narrate-bot run`, `console` and `migrate` do
    finally:
        await restarted.dispose()
    assert _blocks_holding(path, b"quokkaform") == 0
    assert _automerge(path) == 4
