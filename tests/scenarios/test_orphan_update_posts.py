"""Posts of form updates whose narrations an older narrate-bot deleted are removed by the
scheduler, through the console.

In a rolling deploy a replica still running the code from before migration 0025 (92e18dd) serves
``/narrate delete`` and forget-me on the migrated schema. It deletes the narration with the SQL
below, ``update_post`` cascades, and the post naming its author stayed in the prompt's thread
with nothing left to find it by; its forget-me also left the person's intro pace
(``intros.every.<person id>``). The scheduler's next wake-up now deletes the post, and the pace
goes with the person's row. This version's own delete and forget-me are as they were.
"""

from __future__ import annotations

from sqlalchemy import text

from tests.scenarios.test_privacy import _rows_mentioning
from tests.scenarios.test_update_posts import _form_update, _prompted

REMOVED = "[console] removed m2 from #team thread m1"

# What the older version's delete and forget-me run (its repositories, as SQL): it knows neither
# update_post nor the intro pace.
OLD_DELETE = ("DELETE FROM narration WHERE id = :narration",)
OLD_FORGET_ME = (
    "DELETE FROM narration_topic WHERE narration_id IN"
    " (SELECT id FROM narration WHERE person_id = :person)",
    "DELETE FROM narration WHERE person_id = :person",
    "DELETE FROM channel_member WHERE user_id = :user",
    "DELETE FROM intro_participant WHERE person_id = :person",
    "DELETE FROM topic_preference WHERE person_id = :person",
    "DELETE FROM person WHERE id = :person",
)


async def _scalar(db, statement: str, **values) -> object:
    async with db.engine.connect() as conn:
        return (await conn.execute(text(statement), values)).scalar()


async def _as_old_version(db, statements: tuple[str, ...], **values) -> None:
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement), values)


async def _bobs_update(chat, db) -> dict[str, object]:
    """bob's form update, posted as m2 in #team's thread m1; his ids."""
    await _prompted(chat)
    assert "[console] posted as m2 in #team thread m1" in await _form_update(chat)
    person = await _scalar(db, "SELECT id FROM person WHERE user_id = 'bob'")
    narration = await _scalar(db, "SELECT id FROM narration WHERE person_id = :p", p=person)
    return {"person": person, "narration": narration, "user": "bob"}


async def _places_left(db) -> tuple[object, object]:
    return (
        await _scalar(db, "SELECT count(*) FROM update_post"),
        await _scalar(db, "SELECT count(*) FROM update_post_orphan"),
    )


async def test_a_post_whose_narration_an_older_version_deleted_is_removed(chat, db):
    ids = await _bobs_update(chat, db)
    await _as_old_version(db, OLD_DELETE, **ids)
    out = await chat.say(":advance 1m")
    assert REMOVED in out
    assert await _places_left(db) == (0, 0)
    # Once: the next wake-ups find nothing.
    assert "removed" not in await chat.say(":advance 1m", ":advance 1h")


async def test_an_older_versions_forget_me_leaves_nothing_naming_them(chat, db):
    ids = await _bobs_update(chat, db)
    await chat.say("bob@team1: /narrate intros join", "bob: /narrate intros every 2w")
    pace = f"intros.every.{ids['person']}"
    assert await _scalar(db, "SELECT value FROM tenant_setting WHERE key = :k", k=pace) == "2"
    await _as_old_version(db, OLD_FORGET_ME, **ids)
    out = await chat.say(":advance 1m")
    assert REMOVED in out
    assert await _scalar(db, "SELECT count(*) FROM tenant_setting WHERE key = :k", k=pace) == 0
    assert await _rows_mentioning(db, "bob") == []
    assert await _places_left(db) == (0, 0)


async def test_this_versions_own_delete_and_forget_me_are_unchanged(chat, db):
    await _bobs_update(chat, db)
    out = await chat.say("bob: /narrate delete 1")
    assert "Deleted #1." in out and "Its post in the prompt's thread is removed too." in out
    assert out.count("[console] removed") == 1 and REMOVED in out
    assert await _places_left(db) == (0, 0)
    assert "removed" not in await chat.say(":advance 1m")

    again = await _form_update(chat, "and its docs")
    assert "[console] posted as m3 in #team thread m1" in again
    await chat.say("bob: /narrate forget-me")
    out = await chat.say("bob: /narrate forget-me confirm")
    assert out.count("[console] removed") == 1
    assert "[console] removed m3 from #team thread m1" in out
    assert "couldn't remove" not in out
    assert await _places_left(db) == (0, 0)
    assert "removed" not in await chat.say(":advance 1m")
