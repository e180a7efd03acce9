"""A replica still on the code from 0050 to 0053 (a rolling deploy past 0054) writes 0050's
``search_text``: CJK runs as pairs only, nothing folded. The next start only refilled a missing
``search_text``, so such a row kept it, and a word of one character ("锁") was never found."""

from __future__ import annotations

from sqlalchemy import text

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage.fulltext import index_has_token
from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_older_replica_deletes_reach_copies import _alices
from tests.scenarios.test_orphan_update_posts import _as_old_version
from tests.scenarios.test_who_knows_ranking import people

# What 0053's edit_narration wrote for "我们换了锁" (0050's index_text: pairs only).
OLD_EDIT = (
    "UPDATE narration SET text = '我们换了锁', search_text = ' 我们 们换 换了 了锁 '"
    " WHERE id = :narration",
)


async def _search_texts(db) -> dict[str, str | None]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT text, search_text FROM narration"))
        return {row.text: row.search_text for row in rows}


async def test_a_0053_replicas_edit_is_found_by_one_character_after_a_start(chat, db):
    await chat.say("alice: /narrate 写了周报", "bob: /narrate 修复了ＡＰＩ的锁")
    await _as_old_version(db, OLD_EDIT, **await _alices(db))
    assert people(await chat.say("zoe: /narrate who knows about 锁")) == ["bob"]
    await upgrade(db)  # the next start: old_writes.repair
    assert await _search_texts(db) == {
        "我们换了锁": index_text("我们换了锁"),
        "修复了ＡＰＩ的锁": index_text("修复了ＡＰＩ的锁"),  # this version's, left as it was
    }
    async with db.transaction() as session:
        assert await index_has_token(session, db.dialect, "锁")
        assert not await index_has_token(session, db.dialect, "周报")
    assert sorted(people(await chat.say("zoe: /narrate who knows about 锁"))) == ["alice", "bob"]
    assert people(await chat.say("zoe: /narrate who knows about 换了")) == ["alice"]
