"""Scrubbing deleted and edited-away text out of SQLite's full-text index, in short steps.

SQLite before 3.42 has no FTS5 ``secure-delete``: deleting a row only writes a delete marker
into a new index segment, and the row's tokens stay readable in the old segments' blocks (the
vocabulary view hides them; ``narration_fts_data`` does not) until a merge writes the oldest
segment again. Merging every segment drops them, and ``secure_delete=ON`` (set per connection)
zeroes the freed pages; ``privacy._truncate_log`` then empties the write-ahead log's copies.

FTS5's ``optimize`` does that merge in one statement. Inside the deleting transaction it held
the write lock for the whole rewrite of the index: 5-6 s at 300,000 narrations, past the 10 s
busy timeout near a million, so everyone else's commands failed with "database is locked" while
one person deleted a narration. The same merge runs here as FTS5 ``merge`` steps instead, each
its own short transaction after the delete has committed: ``('merge', -N)`` puts every segment
on one level and starts merging them into one, and ``('merge', N)`` continues, N pages at a
time, until a step finds nothing to do (``total_changes()`` grows by less than 2, as FTS5's
documentation says). Other writers take the lock between steps; the narrations they add meanwhile
go into new segments, which never held the deleted text. Once the merge finishes the index holds
what ``optimize`` would have left, and the command replies.

One run merges everything committed before it started, so requests are coalesced per database
within a process: a caller waits for the next run that starts after it arrived (one already
under way may have started before its delete committed), and callers that arrive during one run
share the next. PostgreSQL needs none of this: a deleted row's entry goes with the row, and an
edit recomputes the stored ``text_tsv``; old row versions wait for (auto)vacuum (README).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import Database
from .fulltext import FTS_TABLE

log = logging.getLogger(__name__)

# Pages written per step: 40-60 ms of lock each on a shared 2-core machine, whatever the index's
# size (benchmarks/fts_scrub.py), so another writer waits at most about that plus its busy
# handler's next poll. Smaller steps cost more in all: each is a commit, and re-opens the merge.
STEP_PAGES = 500
# After a step, the lock stays free for this share of the step's own time, so a writer in
# another process (whose busy handler polls, up to 100 ms apart) finds it free on some poll.
PAUSE_SHARE = 0.25
# Writers of this process are waited for (``Database.open_transactions``), up to this long per
# step, so a stream of them cannot hold the scrub back for ever.
MAX_DEFER_S = 1.0
_POLL_S = 0.001
# FTS5's own default, which nothing else in the project changes.
FTS5_AUTOMERGE = 4
# Restarts of a stalled merge before one ``optimize`` finishes it (writers would have to stall it
# this many times in a row).
MAX_RESTARTS = 8


@dataclass
class _Runs:
    """The scrub runs of one database in one event loop: ``started`` counts runs begun,
    ``finished`` the runs completed, in order (one at a time, under ``lock``)."""

    loop: asyncio.AbstractEventLoop
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    started: int = 0
    finished: int = 0


_runs: weakref.WeakKeyDictionary[Database, _Runs] = weakref.WeakKeyDictionary()


def _runs_of(db: Database) -> _Runs:
    loop = asyncio.get_running_loop()
    runs = _runs.get(db)
    if runs is None or runs.loop is not loop:
        runs = _runs[db] = _Runs(loop=loop)
    return runs


def completed_runs(db: Database) -> int:
    """Full merges this process has completed on ``db`` (in the current event loop)."""
    runs = _runs.get(db)
    return runs.finished if runs is not None else 0


async def scrub(db: Database, *, step_pages: int | None = None) -> None:
    """Return once every index segment committed before the call has been merged into one, so
    no token of a narration deleted (or text edited away) before the call is left in the
    index's blocks. A no-op on PostgreSQL."""
    if db.dialect != "sqlite":
        return
    runs = _runs_of(db)
    wanted = runs.started + 1  # a run under way now may have started before our commit
    async with runs.lock:
        if runs.finished >= wanted:
            return  # a run that started after we arrived has finished: it covered us
        runs.started += 1
        await _merge_all(db, step_pages or STEP_PAGES)
        runs.finished = runs.started


async def _merge_all(db: Database, step_pages: int) -> None:
    """The merge, with FTS5's automerge off meanwhile: each insert's automerge continues a merge
    under way, ``64 x levels`` pages at a time (FTS5's work unit times the structure's levels,
    which grow by two with every full merge, past 60), so an insert landing mid-scrub did
    hundreds of milliseconds of the scrub's work while holding the lock, and everyone queued
    behind it. New segments wait for the scrub to finish (a level of 16 still merges at once,
    FTS5's ``crisismerge``); automerge is back at FTS5's default afterwards, or on the next run
    (or start, ``interrupted``) if this one died midway.

    A run that fails (the database locked past the busy timeout, say) raises its own error, so
    the caller tells the person what happened; turning automerge back on then is best effort, and
    its own failure (likely, with the lock still held) is only logged. A run cancelled (the
    process stopping) leaves automerge off: that is what tells the next start to finish it.

    A step that finds nothing to do doesn't mean the merge is done: FTS5 continues a merge under
    way only while no lower level holds as many segments as it has inputs, so two or three
    narrations stored meanwhile can stall it, the deleted words still in its inputs. The run
    ends on the first step after which the structure shows no merge under way: the merge that
    ``merge, -N`` began over every segment (or a restart of it) has then written the oldest
    level, which drops deleted rows and their markers; segments written since never held the
    words, so a steady stream of narrations can't keep it going. A stalled one is started again
    (``merge, -N`` puts every segment, the half-merged ones too, on one level), and after
    ``MAX_RESTARTS`` one ``optimize`` finishes the job.
    """
    started = time.perf_counter()
    steps = restarts = 0
    pages = -step_pages  # negative: every segment onto one level first, then merge them
    took = 0.0  # the delete has just committed: whoever queued behind it goes first
    try:
        while True:
            await yield_to_writers(db, took)
            worked, took, merging = await _step(db, pages, automerge=0 if pages < 0 else None)
            steps += 1
            if not merging:
                break  # the merge of everything there was is done; newer segments never held it
            if pages < 0 or worked:
                pages = step_pages
                continue
            restarts += 1
            if restarts > MAX_RESTARTS:
                await _optimize(db)
                break
            pages = -step_pages
    except Exception:
        await _automerge_back(db)
        raise
    await _automerge_back(db)
    log.debug(
        "full-text index merged in %d steps (%d restarts), %.0f ms",
        steps,
        restarts,
        (time.perf_counter() - started) * 1e3,
    )


async def _automerge_back(db: Database) -> None:
    """FTS5's default automerge again, best effort: it fails when the database is locked (as it
    may be right after a step failed for that), and must then neither hide the run's own error
    nor fail a run that merged everything. Left off, the next run (or start) turns it back on."""
    try:
        async with db.transaction() as session:
            await _configure(session, "automerge", FTS5_AUTOMERGE)
    except Exception as problem:
        log.warning(
            "turning the full-text index's automerge back on failed (%s); "
            "the next scrub or start does",
            type(problem).__name__,
        )


def merge_under_way(block: bytes) -> bool:
    """Whether FTS5's structure record (row 10 of ``<table>_data``) shows a merge under way: a
    4-byte cookie, then varints: levels, segments, write counter, and per level the merge's
    input count (0 when none is under way) and its segments, each as id, first and last page."""

    def varint(at: int) -> tuple[int, int]:
        value = 0
        for _ in range(9):
            byte = block[at]
            at += 1
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        return value, at

    at = 4
    levels, at = varint(at)
    _, at = varint(at)  # segments in all
    _, at = varint(at)  # write counter
    for _ in range(levels):
        inputs, at = varint(at)
        if inputs:
            return True
        count, at = varint(at)
        for _ in range(3 * count):
            _, at = varint(at)
    return False


async def _merging(connection: AsyncConnection) -> bool:
    block = (
        await connection.execute(text(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 10"))
    ).scalar_one_or_none()
    return block is not None and merge_under_way(bytes(block))


async def _step(db: Database, pages: int, *, automerge: int | None) -> tuple[bool, float, bool]:
    """One merge step in its own transaction: whether it did any work, how long it held the
    lock for it, and whether a merge is still under way after it."""
    async with db.transaction() as session:
        if automerge is not None:
            await _configure(session, "automerge", automerge)
        connection = await session.connection()
        began = time.perf_counter()
        before = (await connection.execute(text("SELECT total_changes()"))).scalar_one()
        await connection.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('merge', :pages)"),
            {"pages": pages},
        )
        after = (await connection.execute(text("SELECT total_changes()"))).scalar_one()
        merging = await _merging(connection)
        took = time.perf_counter() - began
    return int(after) - int(before) >= 2, took, merging


async def _optimize(db: Database) -> None:
    """The whole merge in one transaction: the lock held throughout, as before the steps."""
    log.info("full-text index merge kept stalling; finishing it in one step")
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))


async def interrupted(db: Database) -> bool:
    """Whether a scrub was cut short (the process stopped between its steps): automerge is
    still off, the deleted words perhaps still in old segments. Asked at start, so the next
    start finishes the job instead of the next person's delete."""
    if db.dialect != "sqlite":
        return False
    async with db.snapshot() as session:
        connection = await session.connection()
        value = (
            await connection.execute(
                text(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'automerge'")
            )
        ).scalar_one_or_none()
    return value is not None and int(value) == 0


async def _configure(session: AsyncSession, option: str, value: int) -> None:
    """An FTS5 configuration option: stored in the index, so every connection sees it."""
    connection = await session.connection()
    await connection.execute(
        text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES (:option, :value)"),
        {"option": option, "value": value},
    )


async def yield_to_writers(db: Database, step_seconds: float) -> None:
    """Between two steps: leave the write lock free for a while, then let this process's
    transactions that are waiting for it (or already hold it) finish before the next step."""
    await asyncio.sleep(step_seconds * PAUSE_SHARE)
    deadline = time.monotonic() + MAX_DEFER_S
    while db.open_transactions and time.monotonic() < deadline:
        await asyncio.sleep(_POLL_S)
