"""An edit that only the NFKC fold tells apart (width forms, a fullwidth comma) keeps a CJK
narration's words findable, on both engines.

Such an edit keeps the same ``search_text`` (``words.index_text`` folds both texts alike), so the
ORM wrote the text alone; 0052's trigger took that for an older replica's edit and cleared
``search_text``, and the CJK run was indexed whole until the next start: "修复" wasn't found.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage.fulltext import index_has_token
from tests.scenarios.test_who_knows_ranking import people


async def _search_text(db, narration: str) -> str | None:
    async with db.engine.connect() as conn:
        query = text("SELECT search_text FROM narration WHERE text = :text")
        return (await conn.execute(query, {"text": narration})).scalar_one()


async def _indexed(db, token: str) -> bool:
    async with db.transaction() as session:
        return await index_has_token(session, db.dialect, token)


@pytest.mark.parametrize(
    ("before", "after", "whole_run"),
    [
        ("修复了ＡＰＩ的锁", "修复了API的锁", "修复了api的锁"),
        ("修复了锁，完成了", "修复了锁,完成了", "修复了锁"),
    ],
)
async def test_an_edit_only_the_fold_tells_apart_keeps_cjk_words_found(
    chat, db, before, after, whole_run
):
    await chat.say(f"alice: /narrate {before}", "bob: /narrate 写了周报")
    assert people(await chat.say("zoe: /narrate who knows about 修复")) == ["alice"]
    out = await chat.say(f"alice: /narrate edit 1 {after}")
    assert "1" in out, out
    assert await _search_text(db, after) == index_text(after)
    assert await _indexed(db, "修复") and await _indexed(db, "锁")
    assert not await _indexed(db, whole_run)  # never indexed whole, as an older replica's edit
    assert people(await chat.say("zoe: /narrate who knows about 修复")) == ["alice"]
    assert people(await chat.say("zoe: /narrate who knows about 锁")) == ["alice"]
