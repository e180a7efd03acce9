"""Migration 0037 (an older replica's deletes still reach followed-topics DMs and introductions
posts) against data, on both engines: a narration deleted by plain SQL as the code from before
0034 deletes it keeps its DM lines for the repair; a person deleted as the code from before
0033's forget-me does makes their introductions' posts due at any clock; a workspace removed
keeps nothing; up, down and up again."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.storage import intro_posts as intro_store
from narrate_bot.storage import narration_copies as copy_store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_intro_posts_migration import _introduction, _person, _rows, _run
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_narration_copies_migration import _narration, _quoted, _tables

BEFORE = "0036_answer_copies"
GONE = "SELECT copy_id, narration_id, line FROM narration_copy_gone ORDER BY narration_id"


async def _introduced(db: Database, tenant: int, people: list[int]) -> int:
    introduction = await _introduction(db, tenant, f"2026-W{40 + len(people)}")
    for person in people:
        await _run(
            db,
            "INSERT INTO intro_member (introduction_id, person_id) VALUES (:i, :p)",
            i=introduction,
            p=person,
        )
    await _insert(
        db,
        "INSERT INTO intro_post (introduction_id, channel_id, message_id, people)"
        " VALUES (:i, 'C1', '1.5', :n)",
        i=introduction,
        n=len(people),
    )
    return introduction


async def _posts_due(db: Database) -> int:
    """How many introductions' posts the repair finds due, at a clock long before today's."""
    async with db.snapshot() as session:
        found = await intro_store.due(
            session, now=START - timedelta(days=365), platforms=["slack"], limit=10
        )
    return len(found)


async def _lines_gone(db: Database) -> dict[int, list[tuple[int, str]]]:
    async with db.snapshot() as session:
        return await copy_store.gone(session, limit=10)


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    tenant = ids["tenant"]
    first, second = await _narration(db, ids, 1), await _narration(db, ids, 2)
    copy = await _quoted(db, ids, [first, second])
    ann = await _person(db, tenant, "U2")
    await _introduced(db, tenant, [ids["person"], ann])

    await upgrade(db)
    await check(db)
    assert await _rows(db, GONE) == []
    # The older code's /narrate delete: the quote's row cascades, its line is kept.
    await _run(db, "DELETE FROM narration WHERE id = :n", n=first)
    assert await _lines_gone(db) == {copy: [(first, "x")]}
    assert await _rows(db, "SELECT narration_id FROM narration_copy_quote") == [(second,)]
    # The older code's forget-me: the member row cascades, the post is due whatever the clock.
    assert await _posts_due(db) == 0
    await _run(db, "DELETE FROM person WHERE id = :p", p=ann)
    assert await _posts_due(db) == 1
    # This version's delete takes its quotes out first: the trigger keeps nothing.
    await _run(db, "DELETE FROM narration_copy_quote WHERE narration_id = :n", n=second)
    await _run(db, "DELETE FROM narration WHERE id = :n", n=second)
    assert len(await _rows(db, GONE)) == 1

    await _downgrade(db, BEFORE)
    assert "narration_copy_gone" not in await _tables(db)
    third = await _narration(db, ids, 3)
    await _quoted(db, ids, [third])
    await _run(db, "DELETE FROM narration WHERE id = :n", n=third)  # as before the revision

    await upgrade(db)
    await check(db)
    assert await _rows(db, GONE) == []
    fourth = await _narration(db, ids, 4)
    await _quoted(db, ids, [fourth])
    await _run(db, "DELETE FROM narration WHERE id = :n", n=fourth)
    assert len(await _rows(db, GONE)) == 1
    # The reader's own erasure takes their DMs' records, and the kept lines with them.
    await _run(db, "DELETE FROM narration_copy")
    assert await _rows(db, GONE) == []
    # A workspace removed with a quoted narration still there: the cascade keeps nothing.
    await _quoted(db, ids, [await _narration(db, ids, 5)])
    await _run(db, "DELETE FROM tenant WHERE id = :t", t=tenant)
    assert await _rows(db, GONE) == []
    assert await _rows(db, "SELECT id FROM intro_post") == []
