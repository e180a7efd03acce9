"""A replica still on the code from before 0050 (a rolling deploy) edits a CJK
narration by its own SQL (text and edited_at only, as its ``edit_narration`` did). The stale
``search_text`` kept the edited-away words: the index (SQLite's triggers, PostgreSQL's
generated column: both read coalesce(search_text, text)) kept their pairs, and who-knows still
named the author for words they took out. An older replica's CJK narration (no
``search_text``) is indexed as pairs at the next start."""

from __future__ import annotations

from sqlalchemy import text

from narrate_bot.storage.fulltext import index_has_token
from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_older_replica_deletes_reach_copies import _alices
from tests.scenarios.test_orphan_update_posts import _as_old_version
from tests.scenarios.test_who_knows_ranking import people


async def _search_texts(db) -> list[str | None]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(text("SELECT search_text FROM narration"))).scalars())


OLD_EDIT = ("UPDATE narration SET text = 'rewrote the weekly report' WHERE id = :narration",)


async def test_an_older_replicas_edit_of_a_cjk_narration_leaves_no_old_words(chat, db):
    await chat.say("alice: /narrate 修复了龘齉系统的密码泄露")
    assert people(await chat.say("zoe: /narrate who knows about 龘齉")) == ["alice"]
    await _as_old_version(db, OLD_EDIT, **await _alices(db))
    await chat.say(":advance 1m")  # a wake-up: whatever repairs run
    assert not any("龘齉" in (s or "") for s in await _search_texts(db))
    async with db.transaction() as session:
        assert not await index_has_token(session, db.dialect, "龘齉")
        assert await index_has_token(session, db.dialect, "report")  # its new words
    assert people(await chat.say("zoe: /narrate who knows about 龘齉")) == []


async def test_who_knows_no_longer_names_her_for_the_edited_away_words(chat, db):
    await chat.say("alice: /narrate 修复了龘齉系统的密码泄露")
    await _as_old_version(db, OLD_EDIT, **await _alices(db))
    await chat.say(":advance 1m")
    out = await chat.say("zoe: /narrate who knows about 龘齉")
    assert people(out) == [], out


OLD_CJK_EDIT = ("UPDATE narration SET text = '写了周报' WHERE id = :narration",)


async def test_an_older_replicas_cjk_edit_is_found_by_its_words_after_a_start(chat, db):
    await chat.say("alice: /narrate 修复了龘齉系统的密码泄露")
    await _as_old_version(db, OLD_CJK_EDIT, **await _alices(db))
    async with db.transaction() as session:
        assert not await index_has_token(session, db.dialect, "龘齉")
    assert people(await chat.say("zoe: /narrate who knows about 周报")) == []  # one run: 写了周报
    await upgrade(db)  # the next start puts right what the older replica wrote
    assert await _search_texts(db) == [" 写了 了周 周报  写 了 周 报"]  # 0054's format
    async with db.transaction() as session:
        assert await index_has_token(session, db.dialect, "周报")
        assert not await index_has_token(session, db.dialect, "龘齉")
    assert people(await chat.say("zoe: /narrate who knows about 周报")) == ["alice"]
