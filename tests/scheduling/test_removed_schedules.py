"""Removed schedules against a real database (migration 0017): the row stays, marked removed, so
its id is never given again and a prompt it posted is still recognised, while nothing of it
fires, is listed or is sent; it goes with its workspace; and the migration runs both ways."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import text

from narrate_bot.storage import privacy
from narrate_bot.storage import schedules as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import at_revision
from tests.scheduling.support import add_channel_prompts
from tests.scheduling.test_tick import MONDAY_0800_UTC, _bot, _statuses, _tick
from tests.storage.test_migrations import _downgrade, _insert

BEFORE = "0016_audience_before_sharing"


async def _tenant_id(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT id FROM tenant"))).scalar_one())


async def _remove(db: Database, ids: list[int]) -> None:
    async with db.transaction() as session:
        await store.delete_schedules(session, ids=ids, now=MONDAY_0800_UTC)


async def test_a_removed_schedule_keeps_its_id_and_posted_prompt_but_never_fires(db):
    start = MONDAY_0800_UTC - timedelta(hours=1)
    first, last = await add_channel_prompts(
        db, count=2, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start)
    assert (await _tick(bot, MONDAY_0800_UTC)).sent == 2
    await _remove(db, [last])
    tenant_id = await _tenant_id(db)

    [newer] = await add_channel_prompts(
        db, count=1, days="daily", at="09:00", zone="Europe/Berlin", now=start, first=5
    )
    assert newer > last  # SQLite would otherwise give the highest freed id again
    async with db.transaction() as session:
        live = await store.schedules_of(session, tenant_id=tenant_id, kinds=["prompt"])
        assert [row.id for row, _ in live] == [first, newer]
        assert await store.get_schedule(session, tenant_id=tenant_id, schedule_id=last) is None
        kept = await store.get_schedule(
            session, tenant_id=tenant_id, schedule_id=last, removed_too=True
        )
        assert kept is not None and kept[0].removed_at is not None
        assert await store.was_posted(session, schedule_id=last)
        assert kept[1] is not None and kept[1].id is not None
        posted = await store.prompt_for_message(
            session, tenant_id=tenant_id, channel_pk=kept[1].id, message_id="msg-2"
        )
        assert posted is not None and posted.schedule_id == last

    recorder.posts.clear()
    tuesday = MONDAY_0800_UTC + timedelta(days=1)
    async with db.transaction() as session:
        due = await store.due_schedules(session, now=tuesday, dialect=db.dialect, limit=10)
        prompts = {d.schedule.id for d in due if d.schedule.kind == "prompt"}
        assert prompts == {first, newer}
    await _tick(bot, tuesday)
    assert sorted(p.channel_id or "" for _, p in recorder.posts) == ["c0", "c5"]


async def test_a_send_still_queued_for_a_removed_schedule_is_never_posted(db):
    """Removing drops a schedule's queued sends; one claimed by another replica's tick as the
    removal committed is found removed when it is delivered, and skipped."""
    start = MONDAY_0800_UTC - timedelta(hours=1)
    [prompt] = await add_channel_prompts(
        db, count=1, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start)
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE schedule SET removed_at = :at WHERE id = :id"),
            {"at": start, "id": prompt},
        )
        await conn.execute(
            text(
                "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
                " attempts, claimed_at) SELECT id, tenant_id, '2026-11-23', 'main', 'pending',"
                " :due, 0, :due FROM schedule WHERE id = :id"
            ),
            {"due": MONDAY_0800_UTC, "id": prompt},
        )
    await _tick(bot, MONDAY_0800_UTC)
    assert recorder.posts == []
    assert await _statuses(db) == [("2026-11-23", "main", "skipped")]


async def test_erasing_the_workspace_erases_its_removed_schedules(db):
    start = MONDAY_0800_UTC - timedelta(hours=1)
    ids = await add_channel_prompts(
        db, count=2, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, _ = _bot(db, start)
    await _tick(bot, MONDAY_0800_UTC)
    await _remove(db, ids[:1])
    async with db.transaction() as session:
        await privacy.erase_tenant(session, tenant_id=await _tenant_id(db), dialect=db.dialect)
    async with db.engine.connect() as conn:
        for table in ("schedule", "schedule_send"):
            count = await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))
            assert count.scalar_one() == 0, table


async def _schedules_at_0016(db: Database) -> dict[str, int]:
    await at_revision(db, BEFORE)
    at = MONDAY_0800_UTC.astimezone(UTC)
    tenant = await _insert(
        db,
        "INSERT INTO tenant (platform, external_id, name, created_at)"
        " VALUES ('console', 't', 't', :at)",
        at=at,
    )
    channel = await _insert(
        db,
        "INSERT INTO channel (tenant_id, channel_id, name, kind, shared)"
        " VALUES (:t, 'c1', 'team', 'public', false)",
        t=tenant,
    )
    ids = {}
    for name in ("kept", "going"):
        ids[name] = await _insert(
            db,
            "INSERT INTO schedule (tenant_id, kind, channel_pk, days, local_time, timezone,"
            " next_fire_at, created_at) VALUES (:t, 'prompt', :c, 127, '09:00', 'UTC', :at, :at)",
            t=tenant,
            c=channel,
            at=at,
        )
        await _insert(
            db,
            "INSERT INTO schedule_send (schedule_id, tenant_id, slot, part, status, due_at,"
            " attempts, claimed_at, message_id) VALUES (:s, :t, '2026-11-23', 'main', 'sent',"
            " :at, 0, :at, :m)",
            s=ids[name],
            t=tenant,
            at=at,
            m=f"m-{name}",
        )
    return ids


async def _rows(db: Database) -> tuple[list[int], list[int]]:
    async with db.engine.connect() as conn:
        schedules = await conn.execute(text("SELECT id FROM schedule ORDER BY id"))
        sends = await conn.execute(text("SELECT schedule_id FROM schedule_send ORDER BY id"))
        return [r[0] for r in schedules], [r[0] for r in sends]


async def _index_sql(db: Database) -> str:
    query = (
        "SELECT sql FROM sqlite_master WHERE name = 'ix_schedule_next_fire'"
        if db.dialect == "sqlite"
        else "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_schedule_next_fire'"
    )
    async with db.engine.connect() as conn:
        return str((await conn.execute(text(query))).scalar_one())


async def test_migration_0017_up_keeps_everything_and_down_drops_only_removed_ones(empty_db):
    db = empty_db
    ids = await _schedules_at_0016(db)
    await upgrade(db)
    await check(db)
    assert await _rows(db) == ([ids["kept"], ids["going"]], [ids["kept"], ids["going"]])
    assert "removed_at IS NULL" in await _index_sql(db)
    async with db.transaction() as session:
        due = await store.due_schedules(session, now=MONDAY_0800_UTC, dialect=db.dialect, limit=10)
        assert {d.schedule.id for d in due} == set(ids.values())  # existing rows are live
    await _remove(db, [ids["going"]])
    assert await _rows(db) == ([ids["kept"], ids["going"]], [ids["kept"], ids["going"]])

    await _downgrade(db, BEFORE)
    # Without the column a removed schedule would fire again: it goes, as removing did then.
    assert await _rows(db) == ([ids["kept"]], [ids["kept"]])
    assert "removed_at" not in await _index_sql(db)
    await upgrade(db)
    await check(db)
