"""Migration 0052 (an older version's edit clears ``search_text``) against data, on both
engines: a CJK narration an older version edited before it loses its stale pairs from the index,
an edit like that after it leaves none, and up/down/up keeps the index right."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_cjk_search_text_migration import _found, _indexed, _search_texts
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0051_question_nudge_retries"
OLD = "修复了龘齉系统的密码泄露"
NEW = "写了周报"
LATER = "rewrote the monthly report"


async def _older_edit(db: Database, narration: int, said: str) -> None:
    """An edit as the code before 0050 made it: ``text`` only."""
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE narration SET text = :said WHERE id = :id"),
            {"said": said, "id": narration},
        )


async def _integrity(db: Database) -> None:
    async with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(
                text("INSERT INTO narration_fts(narration_fts) VALUES ('integrity-check')")
            )


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    narration = await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, search_text, created_at) VALUES (:t, :p, :c, 1, 'command', 'channel', :text,"
        " :search, :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        text=OLD,
        search=index_text(OLD),
        at=START.astimezone(UTC),
    )
    assert await _found(db, "龘齉") == {narration}
    await _older_edit(db, narration, NEW)  # before 0052: the stale pairs stay
    assert await _found(db, "龘齉") == {narration}

    await upgrade(db)
    await check(db)
    await _integrity(db)
    assert await _search_texts(db) == {narration: index_text(NEW)}
    assert await _found(db, "龘齉") == set()
    assert not await _indexed(db, "龘齉")
    assert await _found(db, "周报") == {narration}

    await _older_edit(db, narration, LATER)  # after 0052: nothing stale stays
    await _integrity(db)
    assert await _search_texts(db) == {narration: None}
    assert not await _indexed(db, "周报")
    assert await _found(db, "report") == {narration}

    await _downgrade(db, BEFORE)
    await _integrity(db)
    assert await _found(db, "report") == {narration}
    await _older_edit(db, narration, OLD)  # 0050's triggers: text only, no search_text
    assert await _search_texts(db) == {narration: None}
    assert await _found(db, "龘齉") == set()  # indexed as the whole run

    await upgrade(db)
    await check(db)
    await _integrity(db)
    assert await _search_texts(db) == {narration: index_text(OLD)}
    assert await _found(db, "龘齉") == {narration}
    assert not await _indexed(db, "report")
    await _older_edit(db, narration, NEW)
    await _integrity(db)
    assert not await _indexed(db, "龘齉")
    assert await _found(db, "report") == set()
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM narration WHERE id = :id"), {"id": narration})
    await _integrity(db)
    assert not await _indexed(db, "写了")
