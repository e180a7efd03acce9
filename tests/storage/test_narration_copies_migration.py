"""Migration 0034 (which narrations each followed-topics DM quotes) against data, on both
engines: a quote goes with its narration, a DM's record with its reader; the downgrade drops only
the two tables, and upgrading again keeps the rows that were there before it."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0033_intro_posts"


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync)))


async def _count(db: Database, table: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _narration(db: Database, ids: dict[str, int], ordinal: int) -> int:
    return await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, created_at) VALUES (:t, :p, :c, :o, 'command', 'channel', 'kafka lag', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        o=ordinal,
        at=START.astimezone(UTC),
    )


async def _quoted(db: Database, ids: dict[str, int], narrations: list[int]) -> int:
    copy = await _insert(
        db,
        "INSERT INTO narration_copy (tenant_id, person_id, kind, message_id, post, posted_at,"
        " attempts) VALUES (:t, :p, 'follow_digest', 'm1', '{}', :at, 0)",
        t=ids["tenant"],
        p=ids["person"],
        at=START.astimezone(UTC),
    )
    async with db.engine.begin() as conn:
        for narration in narrations:
            await conn.execute(
                text(
                    "INSERT INTO narration_copy_quote (copy_id, narration_id, line)"
                    " VALUES (:c, :n, 'x')"
                ),
                {"c": copy, "n": narration},
            )
    return copy


async def test_quotes_cascade_and_go_with_the_downgrade(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    first, second = await _narration(db, ids, 1), await _narration(db, ids, 2)
    await upgrade(db)
    await check(db)
    await _quoted(db, ids, [first, second])
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM narration WHERE id = :n"), {"n": first})
    assert await _count(db, "narration_copy_quote") == 1  # the other narration's stays
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM person WHERE id = :p"), {"p": ids["person"]})
    assert await _count(db, "narration_copy") == 0  # gone with its reader
    assert await _count(db, "narration_copy_quote") == 0

    await _downgrade(db, BEFORE)
    tables = await _tables(db)
    assert {"narration_copy", "narration_copy_quote"}.isdisjoint(tables)
    assert {"narration", "intro_post"} <= tables
    await upgrade(db)
    await check(db)
    assert await _count(db, "narration_copy") == 0


async def test_upgrade_down_up_keeps_what_was_there(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    narration = await _narration(db, ids, 1)
    await upgrade(db)
    await _quoted(db, ids, [narration])
    await _downgrade(db, BEFORE)
    await upgrade(db)
    await check(db)
    assert await _count(db, "narration") == 1
    await _quoted(db, ids, [narration])  # the schema takes new records again
    assert await _count(db, "narration_copy_quote") == 1
