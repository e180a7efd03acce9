"""Migration 0059 (``place_lookup``) and what it keeps, on both engines: what a platform said of
a stored place is kept per place, the later answer standing; refusals are forgotten per
workspace (gone stays); a channel's answers go with it; down and up again is clean
(``alembic check``)."""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import place_lookups
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _insert, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0058_intro_member_unreached"
AT = START.astimezone(UTC)
T1 = {"platform": "slack", "external_id": "T1"}


async def test_a_places_answer_is_kept_until_its_refusal_is_forgotten(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await _insert(
        db,
        "INSERT INTO channel (tenant_id, channel_id, name, kind, shared, archived, bot_left)"
        " VALUES (:t, 'C2', 'gone', 'private', false, false, false)",
        t=ids["tenant"],
    )
    await upgrade(db)
    await check(db)

    async with db.transaction() as session:
        await place_lookups.note(session, **T1, channel_id="C1", outcome="gone", at=AT)
        await place_lookups.note(session, **T1, channel_id="C2", outcome="gone", at=AT)
        await place_lookups.note(session, **T1, channel_id="C9", outcome="gone", at=AT)  # none
    later = AT + timedelta(hours=1)
    async with db.transaction() as session:
        await place_lookups.note(session, **T1, channel_id="C1", outcome="refused", at=later)
    async with db.snapshot() as session:
        places = await place_lookups.stored_places(session, **T1)
    assert {c: (p.outcome, p.looked_at) for c, p in places.items()} == {
        "C1": ("refused", later),
        "C2": ("gone", AT),
    }
    async with db.transaction() as session:
        await place_lookups.forget_refusals(session, **T1)
    async with db.snapshot() as session:
        places = await place_lookups.stored_places(session, **T1)
    assert places["C1"].outcome is None and places["C2"].outcome == "gone"

    await _run(db, "DELETE FROM channel WHERE channel_id = 'C2'")
    assert await _run(db, "SELECT count(*) FROM place_lookup") == 0

    await _downgrade(db, BEFORE)
    await upgrade(db)
    await check(db)
