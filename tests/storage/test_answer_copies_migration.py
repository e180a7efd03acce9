"""Migration 0036 (who-knows answers kept as ``narration_copy`` rows read by a channel) against
data, on both engines: a followed-topics DM's record from before keeps its reader; a channel's
answer, with no reader, goes with its channel; the downgrade deletes only the channel answers'
records, and upgrading again takes new ones."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0035_follow_trigger_retry_index"


async def _count(db: Database, table: str, where: str = "true") -> int:
    async with db.engine.connect() as conn:
        found = await conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"))
        return int(found.scalar_one())


async def _narration(db: Database, ids: dict[str, int]) -> int:
    return await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, created_at) VALUES (:t, :p, :c, 1, 'command', 'channel', 'kafka lag', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        at=START.astimezone(UTC),
    )


async def _digest(db: Database, ids: dict[str, int], narration: int) -> int:
    """A followed-topics DM's record, as 0034 kept it (a reader, no channel column)."""
    copy = await _insert(
        db,
        "INSERT INTO narration_copy (tenant_id, person_id, kind, message_id, post, posted_at,"
        " attempts) VALUES (:t, :p, 'follow_digest', 'm1', '{}', :at, 0)",
        t=ids["tenant"],
        p=ids["person"],
        at=START.astimezone(UTC),
    )
    await _quote(db, copy, narration)
    return copy


async def _answer(db: Database, ids: dict[str, int], narration: int) -> int:
    """A channel's who-knows answer: no reader, its channel."""
    copy = await _insert(
        db,
        "INSERT INTO narration_copy (tenant_id, person_id, channel_pk, kind, message_id, post,"
        " posted_at, attempts) VALUES (:t, NULL, :c, 'who_knows', '1.2', '{}', :at, 0)",
        t=ids["tenant"],
        c=ids["channel"],
        at=START.astimezone(UTC),
    )
    await _quote(db, copy, narration)
    return copy


async def _quote(db: Database, copy: int, narration: int) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO narration_copy_quote (copy_id, narration_id, line)"
                " VALUES (:c, :n, 'x')"
            ),
            {"c": copy, "n": narration},
        )


async def test_channel_answers_go_with_their_channel_and_the_downgrade(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    narration = await _narration(db, ids)
    await _digest(db, ids, narration)
    await upgrade(db)
    await check(db)
    assert await _count(db, "narration_copy", "person_id IS NOT NULL") == 1  # kept as it was
    await _answer(db, ids, narration)
    assert await _count(db, "narration_copy_quote") == 2

    await _downgrade(db, BEFORE)
    assert await _count(db, "narration_copy") == 1  # the digest's, with its reader
    assert await _count(db, "narration_copy", "person_id IS NULL") == 0
    assert await _count(db, "narration_copy_quote") == 1  # the answer's quote went with it

    await upgrade(db)
    await check(db)
    await _answer(db, ids, narration)  # the schema takes channel answers again
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM channel WHERE id = :c"), {"c": ids["channel"]})
    # The channel's answer goes with it (its quote too; the narration written there as well).
    assert await _count(db, "narration_copy", "person_id IS NULL") == 0
    assert await _count(db, "narration_copy_quote", f"narration_id = {narration}") == 0
