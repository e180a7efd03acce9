"""Introductions' rows go with their workspace (erase_tenant leaves none behind), and their
numbers stay unique within it when two writers race."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from narrate_bot.storage import intro_repo
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.privacy import erase_tenant
from narrate_bot_adapters.console.adapter import TENANT
from tests.conftest import START

INTRO_TABLES = (
    "intro_participant",
    "intro_never_pair",
    "intro_round",
    "introduction",
    "intro_member",
    "intro_feedback",
    "intro_asked_topic",
)


async def _console_tenant(session) -> int:
    """The console workspace's id (not always 1: PostgreSQL spends a sequence value on every
    insert rolled back, such as the console's read-only look-ups)."""
    tenant = await repo.ensure_tenant(
        session, platform=TENANT.platform.value, external_id=TENANT.tenant_id, name="", now=START
    )
    assert tenant.id is not None
    return tenant.id


async def _counts(db) -> dict[str, int]:
    async with db.engine.connect() as conn:
        return {
            table: (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
            for table in INTRO_TABLES
        }


async def test_erasing_a_workspace_removes_every_introductions_row(bot, chat, clock, db):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
        "alice: /narrate never-pair <@zoe>",
        "alice: /narrate who knows about kafka?",
    )
    await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    await chat.say("alice: /narrate intros met 1")
    assert all((await _counts(db)).values()), await _counts(db)
    async with db.transaction() as session:
        await erase_tenant(session, tenant_id=await _console_tenant(session), dialect=db.dialect)
    assert not any((await _counts(db)).values())


async def test_an_introduction_outlives_its_people_but_not_its_workspace(bot, chat, clock, db):
    """Forget-me keeps the introduction (its number is never given again) and drops only the
    person's rows; once nobody is left in it, not even its topics stay. The workspace's
    erasure still takes it."""
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
    )
    await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    await chat.say("alice: /narrate intros met 1", "carol: /narrate intros met 1")
    for person in ("alice", "carol"):
        await chat.say(f"{person}: /narrate forget-me", f"{person}: /narrate forget-me confirm")
        counts = await _counts(db)
        left = 0 if person == "carol" else 1
        assert (counts["intro_member"], counts["intro_feedback"]) == (left, left), counts
        assert counts["introduction"] == 1, counts
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT number, topics FROM introduction"))).all()
    assert [tuple(r) for r in rows] == [(1, "")]
    async with db.transaction() as session:
        await erase_tenant(session, tenant_id=await _console_tenant(session), dialect=db.dialect)
    assert not any((await _counts(db)).values())


async def test_two_rounds_writing_at_once_give_their_introductions_different_numbers(db, clock):
    """Two replicas whose clocks straddle a week boundary each claim a round for one workspace.
    The second reads the same highest number while the first hasn't committed; it must still
    store its introduction, under the next number, instead of failing the week."""
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="console", external_id="local", name="local", now=clock.now()
        )
        assert tenant.id is not None
        people = [
            await repo.ensure_person(
                session, tenant_id=tenant.id, user_id=u, display_name=u, now=clock.now()
            )
            for u in ("alice", "carol")
        ]
        rounds = [
            await intro_repo.claim_week(session, tenant_id=tenant.id, week=w, now=clock.now())
            for w in ("2026-W48", "2026-W49")
        ]
    holding = asyncio.Event()
    release = asyncio.Event()

    async def introduce(round_id: int | None, *, hold: bool) -> int:
        assert tenant.id is not None and round_id is not None
        async with db.transaction() as session:
            [number] = await intro_repo.add_introductions(
                session,
                tenant_id=tenant.id,
                round_id=round_id,
                introductions=[
                    intro_repo.NewIntroduction(
                        members=[(p.id, p.team) for p in people if p.id is not None],
                        topics=["kafka"],
                    )
                ],
                now=clock.now(),
            )
            if hold:
                holding.set()
                await release.wait()
            return number

    first = asyncio.create_task(introduce(rounds[0], hold=True))
    await holding.wait()
    second = asyncio.create_task(introduce(rounds[1], hold=False))
    await _until_waiting_on_the_first(db, second)
    release.set()
    assert sorted(await asyncio.gather(first, second)) == [1, 2]
    async with db.engine.connect() as conn:
        members = await conn.execute(
            text("SELECT introduction_id, COUNT(*) FROM intro_member GROUP BY introduction_id")
        )
        assert sorted(n for _, n in members) == [2, 2]


async def _until_waiting_on_the_first(db, second: asyncio.Task[int]) -> None:
    """PostgreSQL: until the second writer's insert waits on the first one's uncommitted number.
    SQLite: its ``BEGIN IMMEDIATE`` waits for the first writer; give it a moment to get there."""
    if db.dialect != "postgresql":
        await asyncio.sleep(0.2)
        return
    waiting = text(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO introduction%'"
    )
    for _ in range(200):
        assert not second.done(), second
        async with db.engine.connect() as conn:
            if (await conn.execute(waiting)).scalar_one():
                return
        await asyncio.sleep(0.025)
    raise AssertionError("the second insert never waited on the first")
