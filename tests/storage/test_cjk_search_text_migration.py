"""Migration 0050 (CJK text indexed as pairs) against data, on both engines: narrations kept
before it are re-indexed (a word inside a Chinese sentence is found, the sentence's old single
token is gone), other text keeps its tokens, and the downgrade gives back the older index."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.knowledge.words import SearchTerm, index_text
from narrate_bot.storage import fulltext
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0049_digest_line_refusals"
CHINESE = "今天修复了支付系统的bug"
LATIN = "kafka consumer lag alerts tuned"


async def _narrations_at_0049(db: Database) -> dict[str, int]:
    ids = await _workspace(db, BEFORE)
    for ordinal, (name, said) in enumerate((("chinese", CHINESE), ("latin", LATIN)), start=1):
        ids[name] = await _insert(
            db,
            "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
            " text, created_at) VALUES (:t, :p, :c, :o, 'command', 'channel', :text, :at)",
            t=ids["tenant"],
            p=ids["person"],
            c=ids["channel"],
            o=ordinal,
            text=said,
            at=START.astimezone(UTC),
        )
    return ids


async def _found(db: Database, *words: str) -> set[int]:
    """The narrations the index matches for the phrase of ``words``, the way who-knows asks."""
    term = SearchTerm(words=words)
    async with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            matches = fulltext.sqlite_recent_matches(term, 100)
            rows = await conn.execute(matches.select())
        else:
            rows = await conn.execute(
                text(
                    f"SELECT id FROM narration WHERE {fulltext.PG_TSV_COLUMN} @@ "
                    f"to_tsquery('{fulltext.PG_TEXT_CONFIG}'::regconfig, :q)"
                ),
                {"q": fulltext.pg_tsquery(term)},
            )
        return {row.id for row in rows}


async def _indexed(db: Database, token: str) -> bool:
    async with db.transaction() as session:
        dialect = (await session.connection()).dialect.name
        return await fulltext.index_has_token(session, dialect, token)


async def _search_texts(db: Database) -> dict[int, str | None]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, search_text FROM narration ORDER BY id"))
        return {row.id: row.search_text for row in rows}


async def _columns(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: [c["name"] for c in sync.dialect.get_columns(sync, "narration")]
        )


async def _as_before(db: Database, ids: dict[str, int]) -> None:
    """The older index: the Chinese sentence is one token, a word inside it finds nothing."""
    assert await _found(db, "支付") == set()
    assert await _indexed(db, CHINESE.lower())
    assert not await _indexed(db, "支付")
    assert await _found(db, "kafka") == {ids["latin"]}


async def _reindexed(db: Database, ids: dict[str, int]) -> None:
    assert await _search_texts(db) == {ids["chinese"]: index_text(CHINESE), ids["latin"]: None}
    assert await _found(db, "支付") == {ids["chinese"]}
    assert await _found(db, "支付", "付系", "系统") == {ids["chinese"]}
    assert await _found(db, "系统", "支付") == set()  # not in that order
    assert await _found(db, "bug") == {ids["chinese"]}  # glued to the sentence before
    assert not await _indexed(db, CHINESE.lower())  # the old token left the index
    assert await _found(db, "kafka") == {ids["latin"]}
    assert await _found(db, "consumer", "lag") == {ids["latin"]}


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _narrations_at_0049(db)
    await _as_before(db, ids)

    await upgrade(db)
    await check(db)
    await _reindexed(db, ids)

    await _downgrade(db, BEFORE)
    assert "search_text" not in await _columns(db)
    await _as_before(db, ids)
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, text FROM narration ORDER BY id"))
        assert [(r.id, r.text) for r in rows] == [(ids["chinese"], CHINESE), (ids["latin"], LATIN)]

    await upgrade(db)
    await check(db)
    await _reindexed(db, ids)
    # Deleting the narration takes its pairs out of the index too.
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM narration WHERE id = :id"), {"id": ids["chinese"]})
    assert await _found(db, "支付") == set()
    assert not await _indexed(db, "支付")
