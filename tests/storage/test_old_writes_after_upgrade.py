"""What an older replica wrote after this version migrated the database (a rolling deploy, or an
old process left running) is put right at the next start: its schedules get numbers people can
type, and the topics it hid or declared match questions typed without their accents.

The older replica's rows are written here as it wrote them: a prompt without ``number`` (it
predates 0019) and a hide-me keyed ``café`` (it predates 0018's folding). ``upgrade`` is what
every start runs (``narrate-bot migrate``, ``run``, the console)."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot_adapters.console.adapter import TENANT
from tests.conftest import START
from tests.storage.test_migrations import _insert


async def _one(db: Database, query: str, **values: object) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(query), values)).scalar_one())


async def _ids(db: Database, *, person: str | None = None, channel: str | None = None):
    """The console workspace's row id, and a person's or a channel's in it."""
    tenant = await _one(
        db,
        "SELECT id FROM tenant WHERE platform = :p AND external_id = :e",
        p=TENANT.platform.value,
        e=TENANT.tenant_id,
    )
    found = {"tenant": tenant}
    if person is not None:
        found["person"] = await _one(
            db, "SELECT id FROM person WHERE tenant_id = :t AND user_id = :u", t=tenant, u=person
        )
    if channel is not None:
        found["channel"] = await _one(
            db,
            "SELECT id FROM channel WHERE tenant_id = :t AND channel_id = :c",
            t=tenant,
            c=channel,
        )
    return found


async def _old_replica_schedules(db: Database, ids: dict[str, int], count: int) -> list[int]:
    """Channel prompts an older replica stored: no number."""
    at = START.astimezone(UTC)
    return [
        await _insert(
            db,
            "INSERT INTO schedule (tenant_id, kind, channel_pk, days, local_time, timezone,"
            " next_fire_at, created_at) VALUES (:t, 'prompt', :c, 2, '09:00', 'Europe/Berlin',"
            " :due, :at)",
            t=ids["tenant"],
            c=ids["channel"],
            due=at + timedelta(days=1),
            at=at,
        )
        for _ in range(count)
    ]


async def test_a_schedule_an_older_replica_stored_gets_a_number_people_can_type(db, chat):
    await chat.say(
        ":admin alice",
        ":channel #team private alice",
        "alice in #team: /narrate schedule #team weekdays 16:30 Europe/Berlin",
        "alice in #team: /narrate schedule digest #team on fri 16:00 Europe/Berlin",
    )
    ids = await _ids(db, channel="team")
    [first, second] = await _old_replica_schedules(db, ids, 2)
    # An id the workspace already uses as a number can't be given again.
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE schedule SET number = :n WHERE tenant_id = :t AND number = 2"),
            {"n": second, "t": ids["tenant"]},
        )
    listed = await chat.say("alice: /narrate schedule list")
    assert "#None" in listed  # what the older replica's rows looked like

    await upgrade(db)  # the next start

    listed = await chat.say("alice: /narrate schedule list")
    assert "#None" not in listed, listed
    assert f"#{first}  #team  prompt tue 09:00" in listed, listed  # its id, as it was shown
    assert f"#{second + 1}  #team  prompt tue 09:00" in listed, listed  # the next free one
    removed = await chat.say(f"alice: /narrate schedule remove {second + 1}")
    assert f"Removed #{second + 1}" in removed, removed
    await upgrade(db)  # nothing more to do
    assert f"#{first}  #team  prompt" in await chat.say("alice: /narrate schedule list")


async def test_a_topic_hidden_through_an_older_replica_is_hidden_without_its_accent(db, chat):
    await chat.say(
        "gus@mobile: /narrate join",
        "gus@mobile: /narrate reviewed the cafe menu rollout",
        "carol@search: /narrate join",
        "carol@search: /narrate ask-me-about cafe",
    )
    ids = await _ids(db, person="gus")
    carol = (await _ids(db, person="carol"))["person"]
    at = START.astimezone(UTC)
    preference = (
        "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic, created_at)"
        " VALUES (:p, :k, :key, :t, :topic, :at)"
    )
    for person, kind in ((ids["person"], "hide"), (carol, "ask")):
        async with db.engine.begin() as conn:
            await conn.execute(
                text(preference),
                {
                    "p": person,
                    "k": kind,
                    "key": "café",
                    "t": ids["tenant"],
                    "topic": "Café",
                    "at": at,
                },
            )
    assert "@gus" in await chat.say("dave in dm: who knows about cafe?")

    await upgrade(db)  # the next start

    answer = await chat.say("dave in dm: who knows about cafe?")
    assert "@gus" not in answer, answer
    answer = await chat.say("dave in dm: who knows about café?")
    assert "@gus" not in answer, answer
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person_id, kind, topic_key FROM topic_preference ORDER BY person_id")
        )
        assert sorted(tuple(r) for r in rows) == sorted(
            [(ids["person"], "hide", "cafe"), (carol, "ask", "cafe")]
        )
    mine = await chat.say("gus: /narrate hide-me")
    assert "Café" in mine, mine
