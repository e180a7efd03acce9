"""Migration 0047 (quotes follow any version's edits and unshares: ``narration_copy_edit`` and
the ``narration_keeps_quoted_text`` trigger) against data, on both engines: up, the trigger
keeps a quoted narration's first text on an edit or a narrowing and nothing else, down (the
table and the trigger go, the quotes stay), up again; ``alembic check`` clean at head."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0045_question_nudges"
AFTER = "0047_quotes_follow_old_edits"


async def _run(db: Database, statement: str, **values) -> object:
    async with db.engine.begin() as conn:
        found = await conn.execute(text(statement), values)
        return found.all() if found.returns_rows else None


async def _narration(db: Database, ids: dict[str, int], ordinal: int, audience: str) -> int:
    return await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, created_at) VALUES (:t, :p, :c, :o, 'command', :a, 'kafka lag', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        o=ordinal,
        a=audience,
        at=START.astimezone(UTC),
    )


async def _quoted(db: Database, ids: dict[str, int], narration: int) -> None:
    copy = await _insert(
        db,
        "INSERT INTO narration_copy (tenant_id, person_id, kind, message_id, post, posted_at)"
        " VALUES (:t, :p, 'follow_digest', :m, '{}', :at)",
        t=ids["tenant"],
        p=ids["person"],
        m=f"m{narration}",
        at=START.astimezone(UTC),
    )
    await _run(
        db,
        "INSERT INTO narration_copy_quote (copy_id, narration_id, line)"
        " VALUES (:c, :n, '@zoe: “kafka lag”')",
        c=copy,
        n=narration,
    )


async def _kept(db: Database) -> list[tuple[object, object]]:
    rows = await _run(db, "SELECT narration_id, old_text FROM narration_copy_edit ORDER BY 1")
    assert isinstance(rows, list)
    return [(row[0], row[1]) for row in rows]


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    edited = await _narration(db, ids, 1, "tenant")
    await _quoted(db, ids, edited)
    await upgrade(db, AFTER)
    await _run(db, "UPDATE narration SET text = 'kafka lag, fixed' WHERE id = :n", n=edited)
    await _run(db, "UPDATE narration SET text = 'kafka lag, fixed again' WHERE id = :n", n=edited)
    assert await _kept(db) == [(edited, "kafka lag")]  # the words the quote still shows
    narrowed = await _narration(db, ids, 2, "tenant")
    widened = await _narration(db, ids, 3, "channel")
    unquoted = await _narration(db, ids, 4, "tenant")
    for n in (narrowed, widened):
        await _quoted(db, ids, n)
    await _run(db, "UPDATE narration SET audience = 'channel' WHERE id = :n", n=narrowed)
    await _run(db, "UPDATE narration SET audience = 'tenant' WHERE id = :n", n=widened)
    await _run(db, "UPDATE narration SET text = 'other' WHERE id = :n", n=unquoted)
    assert await _kept(db) == [(edited, "kafka lag"), (narrowed, "kafka lag")]
    await _run(db, "DELETE FROM narration WHERE id = :n", n=narrowed)
    assert await _kept(db) == [(edited, "kafka lag")]  # goes with its narration

    await _downgrade(db, BEFORE)
    assert (await _run(db, "SELECT count(*) FROM narration_copy_quote")) == [(2,)]
    await _run(db, "UPDATE narration SET text = 'again' WHERE id = :n", n=widened)  # no trigger

    await upgrade(db)
    await check(db)
    assert await _kept(db) == []
    await _run(db, "UPDATE narration SET text = 'and again' WHERE id = :n", n=widened)
    assert await _kept(db) == [(widened, "again")]
