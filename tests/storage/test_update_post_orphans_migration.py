"""Migration 0030 (a post's place outlives its narration; a person's intro pace goes with them)
against data, on both engines: up, down and up again, with a narration deleted by plain SQL as
the code from before 0025 deletes it, a person deleted as its forget-me does, and a workspace
removed."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace

BEFORE = "0029_follow_schedule"


async def _posted(db: Database, ids: dict[str, int], ordinal: int, message_id: str | None) -> int:
    """A narration of the person, with its post's row (``message_id`` None: still going out)."""
    at = START.astimezone(UTC)
    narration = await _insert(
        db,
        "INSERT INTO narration (tenant_id, person_id, channel_pk, ordinal, source, audience,"
        " text, created_at) VALUES (:t, :p, :c, :o, 'prompt_reply', 'channel', 'shipped', :at)",
        t=ids["tenant"],
        p=ids["person"],
        c=ids["channel"],
        o=ordinal,
        at=at,
    )
    await _insert(
        db,
        "INSERT INTO update_post (narration_id, channel_id, thread_of, message_id, claimed_at)"
        " VALUES (:n, 'C1', '1.000001', :m, :at)",
        n=narration,
        m=message_id,
        at=at,
    )
    return narration


async def _person(db: Database, ids: dict[str, int], user_id: str) -> int:
    return await _insert(
        db,
        "INSERT INTO person (tenant_id, user_id, display_name, consent, guest, created_at)"
        " VALUES (:t, :u, :u, 'joined', false, :at)",
        t=ids["tenant"],
        u=user_id,
        at=START.astimezone(UTC),
    )


async def _run(db: Database, statement: str, **values) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(statement), values)


async def _rows(db: Database, statement: str, **values) -> list[tuple[object, ...]]:
    async with db.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(statement), values)).all()]


async def _pace(db: Database, ids: dict[str, int], person: int | str, weeks: str = "2") -> None:
    await _run(
        db,
        "INSERT INTO tenant_setting (tenant_id, key, value, updated_at) VALUES (:t, :k, :v, :at)",
        t=ids["tenant"],
        k=f"intros.every.{person}",
        v=weeks,
        at=START.astimezone(UTC),
    )


async def _paces(db: Database) -> list[tuple[object, ...]]:
    return await _rows(
        db, "SELECT key FROM tenant_setting WHERE key LIKE 'intros.every.%' ORDER BY key"
    )


ORPHANS = (
    "SELECT tenant_id, channel_id, thread_of, message_id, retry_at, attempts"
    " FROM update_post_orphan"
)


async def test_up_down_up_with_data(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    posted = await _posted(db, ids, 1, "1.2")
    going_out = await _posted(db, ids, 2, None)
    await _pace(db, ids, ids["person"])
    await _pace(db, ids, 999_999)  # an older forget-me's leftover: nobody has that id
    await upgrade(db)
    await check(db)
    assert await _paces(db) == [(f"intros.every.{ids['person']}",)]

    # The older code's /narrate delete: the place of the post stays, ready for the repair.
    await _run(db, "DELETE FROM narration WHERE id = :n", n=posted)
    assert await _rows(db, ORPHANS) == [(ids["tenant"], "C1", "1.000001", "1.2", None, 0)]
    assert await _rows(db, "SELECT narration_id FROM update_post") == [(going_out,)]
    # A post still going out has no id yet: its poster deletes it, nothing is kept.
    await _run(db, "DELETE FROM narration WHERE id = :n", n=going_out)
    assert len(await _rows(db, ORPHANS)) == 1
    # The older code's forget-me deletes the person's row: the pace goes with it.
    await _run(db, "DELETE FROM person WHERE id = :p", p=ids["person"])
    assert await _paces(db) == []

    await _downgrade(db, BEFORE)
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
    assert "update_post_orphan" not in tables
    # Without the triggers, deletes work as before the revision.
    ids["person"] = await _person(db, ids, "U2")
    await _pace(db, ids, ids["person"])
    await _run(db, "DELETE FROM narration WHERE id = :n", n=await _posted(db, ids, 1, "1.3"))
    await _run(db, "DELETE FROM person WHERE id = :p", p=ids["person"])
    assert await _paces(db) == [(f"intros.every.{ids['person']}",)]  # the older code's leftover

    await upgrade(db)
    await check(db)
    assert await _paces(db) == []  # swept by the upgrade
    assert await _rows(db, ORPHANS) == []
    ids["person"] = await _person(db, ids, "U3")
    kept = await _posted(db, ids, 1, "1.4")
    await _run(db, "DELETE FROM narration WHERE id = :n", n=kept)
    assert len(await _rows(db, ORPHANS)) == 1
    # A person's row deleted first takes their narrations along (a cascade): kept just as well.
    await _posted(db, ids, 2, "1.5")
    await _run(db, "DELETE FROM person WHERE id = :p", p=ids["person"])
    assert sorted(row[3] for row in await _rows(db, ORPHANS)) == ["1.4", "1.5"]
    # A workspace removed with a post's narration still there: the cascade keeps nothing.
    ids["person"] = await _person(db, ids, "U4")
    await _posted(db, ids, 1, "1.6")
    await _run(db, "DELETE FROM tenant WHERE id = :t", t=ids["tenant"])
    assert await _rows(db, ORPHANS) == []
    assert await _rows(db, "SELECT id FROM narration") == []
