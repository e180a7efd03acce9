"""A start (``old_writes.walk``, after every upgrade to head) costs the same however many
narrations the database holds, once it has read each one: it reads only what was indexed by
other rules than its own since (migration 0061). Before, it read every narration at each start
(80–120 s at 1,000,000 on SQLite), and re-read those it only suspected ("R&Dé café", CJK text of
one-character words) without writing them.

What a start costs is measured by the database itself: on PostgreSQL the narration rows its scans
read, the walk run inside one transaction (its batches savepoints of it) to count them there
(``pg_stat_xact_user_tables``); SQLite keeps no such count, so
there the steps of its virtual machine (``set_progress_handler``), compared between the same
start on a table three times as large. Rows "the code before 0061 wrote" are inserted and edited
by raw SQL naming no newer column, as that code's statements do."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from adapters.serve import prepare_database
from narrate_bot.knowledge.words import ampersand_token, index_text
from narrate_bot.storage import old_writes, repositories
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, downgrade, upgrade
from narrate_bot.storage.tables import Narration
from tests.conftest import START, _libpq
from tests.storage.test_cjk_search_text_migration import _found
from tests.storage.test_migrations import _insert, _workspace

BEFORE = "0060_erasure_key_check"
# Read for nothing at each start before 0061: an "&" beside an accent (it names no "&" name),
# CJK text whose ``search_text`` may have been 0050's, and plain text.
SAID = ("R&Dé café review {}", "升级kafka集群 修了 锁 {}", "tuned the kafka consumer {}")
OLD_INSERT = (
    "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience, text,"
    " search_text, created_at) VALUES (:t, :p, :c, :o, 'command', 'channel', :said, :search, :at)"
)
XACT_READS = (
    "SELECT coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0)"
    " FROM pg_stat_xact_user_tables WHERE relname = 'narration'"
)


async def _as_before_0061(db: Database, ids: dict[str, int], said: str, ordinal: int) -> int:
    """A narration stored by the code before 0061, indexed as it indexed it."""
    return await _insert(
        db,
        OLD_INSERT,
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        o=ordinal,
        said=said,
        search=index_text(said),
        at=START.astimezone(UTC),
    )


async def _stored_before(db: Database, ids: dict[str, int], first: int, count: int) -> None:
    for n in range(first, first + count):
        await _as_before_0061(db, ids, SAID[n % len(SAID)].format(n), 1000 + n)


async def _stored_now(db: Database, ids: dict[str, int], first: int, count: int) -> list[int]:
    """Narrations this version stores (``add_narration``)."""
    stored = []
    async with db.transaction() as session:
        for n in range(first, first + count):
            narration = await repositories.add_narration(
                session,
                tenant_id=ids["tenant"],
                person_id=ids["person"],
                channel_pk=ids["channel"],
                text=SAID[n % len(SAID)].format(n),
                source="command",
                audience="channel",
                topics=[],
                now=START,
            )
            assert narration.id is not None
            stored.append(narration.id)
    return stored


async def _edited_now(db: Database, narration_id: int, said: str) -> None:
    """This version's edit (``edit_narration``): 0061's trigger can't tell it from an older one."""
    async with db.transaction() as session:
        narration = await session.get(Narration, narration_id)
        assert narration is not None
        await repositories.edit_narration(
            session, narration=narration, text=said, topics=[], now=START, dialect=db.dialect
        )


async def _start_cost(db: Database) -> int:
    """What the start's narration walk costs (see the module's doc)."""
    async with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            async with conn.begin():
                # A table of a few pages is read whole whatever its indexes; a large one's plan
                # is what this stands in for (``benchmarks/startup_repair.py``).
                await conn.execute(text("SET LOCAL enable_seqscan = off"))
                # The counts not yet reported include earlier transactions' of this connection.
                before = int((await conn.execute(text(XACT_READS))).scalar_one())
                await conn.run_sync(old_writes.walk)
                return int((await conn.execute(text(XACT_READS))).scalar_one()) - before
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        raw: Any = (await conn.get_raw_connection()).driver_connection
        await raw.set_progress_handler(step, 1)
        try:
            await conn.run_sync(old_writes.walk)  # each batch its own transaction, as at a start
        finally:
            await raw.set_progress_handler(None, 1)
        return steps[0]


def _reindexed(ids: list[int]):
    def run(connection: Connection) -> bool:
        rows = connection.execute(
            text("SELECT id, text, search_text FROM narration ORDER BY id")
        ).all()
        wanted = {row.id: index_text(row.text) for row in rows}
        return all(row.search_text == wanted[row.id] for row in rows if row.id in ids)

    return run


async def _all_indexed_as_now(db: Database, ids: list[int]) -> bool:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_reindexed(ids))


async def test_a_start_with_nothing_to_put_right_costs_the_same_at_three_times_the_narrations(
    empty_db,
):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 45)
    await upgrade(db)  # the first start after 0061 reads each narration once

    small = await _start_cost(db)
    mine = await _stored_now(db, ids, 45, 90)
    await _edited_now(db, mine[0], "R&D budget review with finance")
    large = await _start_cost(db)

    assert large == small
    if db.dialect == "postgresql":
        assert small == 0  # not one narration read
    assert await _found(db, ampersand_token("R&D")) == {mine[0]}


async def _older_replica_writes(db: Database, ids: dict[str, int], ordinal: int) -> list[int]:
    """What a replica on the code before 0061 writes after the new version migrated: a new
    narration naming R&D (the versions before its token wrote no ``search_text`` for ASCII
    text), and an edit of a narration the new version stored, to CJK text (the code before 0050
    wrote ``text`` alone)."""
    inserted = await _insert(
        db,
        OLD_INSERT,
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        o=ordinal,
        said="R&D budget review",
        search=None,
        at=START.astimezone(UTC),
    )
    [edited] = await _stored_now(db, ids, 2, 1)  # plain text: no search_text
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE narration SET text = :said WHERE id = :id"),
            {"said": "写了周报", "id": edited},
        )
    return [inserted, edited]


async def test_what_an_older_replica_writes_later_is_put_right_at_the_next_start(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 45)
    await upgrade(db)

    first = await _older_replica_writes(db, ids, 1)
    assert not await _all_indexed_as_now(db, first)
    assert await _found(db, "周报") == set()
    small = await _start_cost(db)  # the next start
    assert await _all_indexed_as_now(db, first)
    assert await _found(db, ampersand_token("R&D")) == {first[0]}
    assert await _found(db, "周报") == {first[1]}

    added = await _stored_now(db, ids, 45, 90)
    second = await _older_replica_writes(db, ids, 2)
    large = await _start_cost(db)
    assert await _all_indexed_as_now(db, second)
    # What the older replica wrote, not the table: reading the narrations added would cost at
    # least a step (a row) each; SQLite's steps to write the same two rows vary by a few with
    # where they sit.
    assert abs(large - small) < len(added)
    assert await _start_cost(db) < small  # and nothing more after that


async def test_rules_raised_read_every_narration_once(empty_db, monkeypatch):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 45)
    await upgrade(db)
    steady = await _start_cost(db)

    # A version whose rules give "kafka" a token too: it raises INDEX_RULES, nothing else.
    monkeypatch.setattr(old_writes, "INDEX_RULES", old_writes.INDEX_RULES + 1)
    monkeypatch.setattr(
        old_writes, "index_text", lambda said: f"{index_text(said) or said} kafka0token0"
    )
    raised = await _start_cost(db)
    assert raised > steady
    assert len(await _found(db, "kafka0token0")) == 45
    assert await _start_cost(db) == steady  # once


async def test_up_down_up(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 6)
    await upgrade(db)
    await check(db)
    await downgrade(db, BEFORE)
    # The code before 0061, once more: its edit leaves CJK words unfound until a start.
    narration = await _as_before_0061(db, ids, "tuned the kafka consumer", 1)
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE narration SET text = '写了周报' WHERE id = :id"), {"id": narration}
        )
    await upgrade(db)
    await check(db)
    assert await _found(db, "周报") == {narration}
    assert await _all_indexed_as_now(db, [narration])


async def _rows_by_rules(db: Database) -> dict[int, int]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT index_rules, count(*) FROM narration GROUP BY index_rules")
        )
        return {int(rules): int(n) for rules, n in rows}


async def test_the_first_walk_leaves_narrations_readable_by_another_replica(empty_db, monkeypatch):
    """The first start after 0061 reads and marks every narration. Inside the upgrade's
    transaction it did so under the ACCESS EXCLUSIVE lock 0061's DDL takes on ``narration``: a
    replica still serving (a rolling deploy) couldn't even read a narration for the length of
    the walk (16–69 s per 200,000). The walk now runs after the upgrade committed, in batches.
    On SQLite readers never wait for a writer (WAL): nothing to show there."""
    db = empty_db
    if db.dialect != "postgresql":
        pytest.skip("SQLite's readers don't wait for its write lock")
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 5)
    seen: list[str] = []
    index_anew = old_writes._index_anew

    def another_replica_reads(connection: Connection, mark: Any, rows: Any) -> int:
        with psycopg.connect(_libpq(db.engine.url), autocommit=True) as other:
            other.execute("SET lock_timeout = '2s'")
            try:
                other.execute("SELECT count(*) FROM narration WHERE id = %s", (rows[0].id,))
            except psycopg.errors.LockNotAvailable:
                seen.append("held up")
            else:
                seen.append("read")
        return int(index_anew(connection, mark, rows))

    monkeypatch.setattr(old_writes, "_index_anew", another_replica_reads)
    await upgrade(db)
    assert seen == ["read"]
    assert await _rows_by_rules(db) == {old_writes.INDEX_RULES: 5}


async def test_a_walk_cut_short_keeps_the_batches_it_marked(empty_db, monkeypatch):
    """Before, the walk was the upgrade's transaction: a start killed in the middle of it lost
    every batch (and the migration). Now each batch commits, the start goes on, and the next
    start reads only the rows left below ``INDEX_RULES``."""
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 6)
    monkeypatch.setattr(old_writes, "BATCH", 2)
    index_anew = old_writes._index_anew
    batches: list[int] = []

    def killed_at_the_second_batch(connection: Connection, mark: Any, rows: Any) -> int:
        batches.append(len(rows))
        if len(batches) == 2:
            raise RuntimeError("killed")
        return int(index_anew(connection, mark, rows))

    monkeypatch.setattr(old_writes, "_index_anew", killed_at_the_second_batch)
    await upgrade(db)  # the migration committed: the start goes on
    assert await _rows_by_rules(db) == {0: 4, old_writes.INDEX_RULES: 2}

    monkeypatch.setattr(old_writes, "_index_anew", index_anew)
    await upgrade(db)  # the next start
    assert await _rows_by_rules(db) == {old_writes.INDEX_RULES: 6}


async def test_a_walk_that_fails_does_not_fail_the_start(empty_db, monkeypatch, caplog):
    """The walk runs after the migration committed, and only helps search old rows: an error in
    it (a deadlock with a serving replica, a timeout, a bug in ``index_text`` on one stored
    text) failed every start with "Migrating the database … failed", and the replica holding
    the walk's lock crash-looped (the docker entrypoint migrates under ``set -e``). Now it is
    logged, without the narration's text above DEBUG, and the rows keep their number for the
    next start."""
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 3)

    def index_text_bug(said: str) -> str | None:
        raise ValueError(f"index_text bug on {said!r}")

    monkeypatch.setattr(old_writes, "index_text", index_text_bug)
    with caplog.at_level(logging.INFO):
        await prepare_database(db)
    assert await _rows_by_rules(db) == {0: 3}
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "ValueError" in warning.getMessage()
    assert warning.exc_info is None
    assert not any("R&Dé" in r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG)

    monkeypatch.setattr(old_writes, "index_text", index_text)
    await prepare_database(db)  # the next start
    assert await _rows_by_rules(db) == {old_writes.INDEX_RULES: 3}


async def test_a_walk_cancelled_is_not_taken_for_a_failure(empty_db, monkeypatch):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 2)

    def cancelled(connection: Connection) -> int:
        raise asyncio.CancelledError

    monkeypatch.setattr(old_writes, "walk", cancelled)
    with pytest.raises(asyncio.CancelledError):
        await upgrade(db)


async def _walk(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.run_sync(old_writes.walk))


def _until_a_session_waits_for_a_lock(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as watcher:
        for _ in range(3000):  # a bound, not a timing: the walk must come to wait
            row = watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
            if row and row[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the walk never waited for the serving replica's row")


async def test_a_serving_replica_writing_in_id_order_waits_for_the_walk(empty_db):
    """The walk runs beside serving replicas. Its batch locked the rows it changed first
    (``SET_SEARCH_TEXT``) and the others when marking them: a serving transaction holding the
    lower row and then writing the higher one deadlocked with it, and PostgreSQL aborted one.
    Now the batch locks its rows in id order as it reads them."""
    db = empty_db
    if db.dialect != "postgresql":
        pytest.skip("SQLite's write lock is the file's")
    ids = await _workspace(db, BEFORE)
    await upgrade(db)
    low = await _as_before_0061(db, ids, "tuned the kafka consumer", 1)  # needs nothing
    high = await _as_before_0061(db, ids, "升级kafka集群 修了 锁", 2)
    async with db.engine.begin() as conn:  # as the code before 0050 left it: needs a write
        await conn.execute(
            text("UPDATE narration SET search_text = NULL WHERE id = :id"), {"id": high}
        )
    url = _libpq(db.engine.url)
    serving = await asyncio.to_thread(psycopg.connect, url)
    walking = None
    try:
        write = "UPDATE narration SET ordinal = ordinal WHERE id = %s"
        await asyncio.to_thread(serving.execute, write, (low,))
        walking = asyncio.create_task(_walk(db))
        await asyncio.to_thread(_until_a_session_waits_for_a_lock, url)
        await asyncio.to_thread(serving.execute, write, (high,))
        await asyncio.to_thread(serving.commit)
        assert await walking == 1
    finally:
        await asyncio.to_thread(serving.close)
        if walking is not None and not walking.done():
            walking.cancel()
    assert await _rows_by_rules(db) == {old_writes.INDEX_RULES: 2}
    assert await _all_indexed_as_now(db, [low, high])


def _another_session_takes_the_walk_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as other:
        row = other.execute("SELECT pg_try_advisory_lock(%s)", (old_writes.WALK_LOCK,)).fetchone()
        taken = bool(row and row[0])
        if taken:
            other.execute("SELECT pg_advisory_unlock(%s)", (old_writes.WALK_LOCK,))
        return taken


async def test_walk_lock_released_after_a_walk_that_fails(empty_db, monkeypatch):
    """A walk failing in a batch (a database error) leaves ``WALK_LOCK`` free: left held on the
    pooled connection's session, no replica would walk again until it closed."""
    db = empty_db
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's lock")
    ids = await _workspace(db, BEFORE)
    await _stored_before(db, ids, 0, 4)
    monkeypatch.setattr(old_writes, "BATCH", 2)
    index_anew = old_writes._index_anew
    batches: list[int] = []

    def fails_at_the_second_batch(connection: Connection, mark: Any, rows: Any) -> int:
        batches.append(len(rows))
        if len(batches) == 2:
            connection.execute(text("SELECT 1/0"))  # a database error mid-walk
        return int(index_anew(connection, mark, rows))

    monkeypatch.setattr(old_writes, "_index_anew", fails_at_the_second_batch)
    await upgrade(db)
    assert await _rows_by_rules(db) == {0: 2, old_writes.INDEX_RULES: 2}
    assert await asyncio.to_thread(_another_session_takes_the_walk_lock, _libpq(db.engine.url))


async def test_a_walk_while_another_replica_holds_its_lock_leaves_the_rows_to_it(empty_db):
    db = empty_db
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's lock")
    ids = await _workspace(db, BEFORE)
    await upgrade(db)
    await _stored_before(db, ids, 0, 3)
    other = await asyncio.to_thread(psycopg.connect, _libpq(db.engine.url), autocommit=True)
    try:
        lock = "SELECT pg_try_advisory_lock(%s)"
        taken = await asyncio.to_thread(other.execute, lock, (old_writes.WALK_LOCK,))
        assert taken.fetchone() == (True,)
        assert await _walk(db) == 0
        assert await _rows_by_rules(db) == {0: 3}
    finally:
        await asyncio.to_thread(other.close)  # its session's lock with it
    await _walk(db)
    assert await _rows_by_rules(db) == {old_writes.INDEX_RULES: 3}
