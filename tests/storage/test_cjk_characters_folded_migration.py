"""Migration 0054 (CJK text also indexed by character, and folded to one width) against data, on
both engines: narrations 0050 indexed get each character of their runs and their halfwidth or
fullwidth text folded, text with width forms alone gets a ``search_text``, other text keeps its
tokens, and up/down/up gives back 0050's index and this one's again."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_cjk_search_text_migration import _found, _indexed, _search_texts
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0053_update_post_resync_refused"
# Each narration's text and its ``search_text`` as 0050 wrote it.
CHINESE = ("我们换了锁", " 我们 们换 换了 了锁 ")
HALFWIDTH = ("ｶﾀｶﾅ入力の修正", " ｶﾀ ﾀｶ ｶﾅ ﾅ入 入力 力の の修 修正 ")
FULLWIDTH = ("ＡＰＩ ｇａｔｅｗａｙ", None)
LATIN = ("kafka consumer lag", None)


async def _narrations_at_0053(db: Database) -> None:
    ids = await _workspace(db, BEFORE)
    for ordinal, (said, search) in enumerate((CHINESE, HALFWIDTH, FULLWIDTH, LATIN), start=1):
        await _insert(
            db,
            "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
            " text, search_text, created_at) VALUES (:t, :p, :c, :o, 'command', 'channel',"
            " :text, :search, :at)",
            t=ids["tenant"],
            p=ids["person"],
            c=ids["channel"],
            o=ordinal,
            text=said,
            search=search,
            at=START.astimezone(UTC),
        )


async def _ids(db: Database) -> dict[str, int]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, text FROM narration ORDER BY id"))
        return {row.text: row.id for row in rows}


async def _integrity(db: Database) -> None:
    async with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(
                text("INSERT INTO narration_fts(narration_fts) VALUES ('integrity-check')")
            )


async def _as_0050_indexed(db: Database, ids: dict[str, int]) -> None:
    await _integrity(db)
    assert await _search_texts(db) == {
        ids[said]: search for said, search in (CHINESE, HALFWIDTH, FULLWIDTH, LATIN)
    }
    assert await _found(db, "锁") == set()  # the run's last character: in no pair alone
    assert not await _indexed(db, "锁")
    assert await _found(db, "了锁") == {ids[CHINESE[0]]}
    assert await _found(db, "カタ", "タカ", "カナ") == set()
    assert await _found(db, "ｶﾀ", "ﾀｶ", "ｶﾅ") == {ids[HALFWIDTH[0]]}
    assert await _found(db, "api") == set()
    assert await _found(db, "kafka") == {ids[LATIN[0]]}


async def _reindexed(db: Database, ids: dict[str, int]) -> None:
    await _integrity(db)
    assert await _search_texts(db) == {
        ids[CHINESE[0]]: index_text(CHINESE[0]),
        ids[HALFWIDTH[0]]: index_text(HALFWIDTH[0]),
        ids[FULLWIDTH[0]]: "API gateway",
        ids[LATIN[0]]: None,
    }
    assert await _found(db, "锁") == {ids[CHINESE[0]]}
    assert await _found(db, "我们", "们换") == {ids[CHINESE[0]]}
    assert await _found(db, "カタ", "タカ", "カナ") == {ids[HALFWIDTH[0]]}
    assert await _found(db, "入力") == {ids[HALFWIDTH[0]]}
    assert not await _indexed(db, "ｶﾀ")  # the halfwidth pairs left the index
    assert await _found(db, "api", "gateway") == {ids[FULLWIDTH[0]]}
    assert await _found(db, "kafka") == {ids[LATIN[0]]}
    assert await _found(db, "consumer", "lag") == {ids[LATIN[0]]}


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    await _narrations_at_0053(db)
    ids = await _ids(db)
    await _as_0050_indexed(db, ids)

    await upgrade(db)
    await check(db)
    await _reindexed(db, ids)

    await _downgrade(db, BEFORE)
    await _as_0050_indexed(db, ids)

    await upgrade(db)
    await check(db)
    await _reindexed(db, ids)
    # Deleting the narration takes its characters out of the index too.
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM narration WHERE id = :id"), {"id": ids[CHINESE[0]]})
    await _integrity(db)
    assert await _found(db, "锁") == set()
    assert not await _indexed(db, "锁")
