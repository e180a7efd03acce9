"""Migration 0062 (``last_place``) and what it keeps, on both engines: where each person last
used the bot, per workspace, the later use standing; a refused channel is dropped only while it
is still theirs; a forget-me's erase and the workspace's removal take it; down and up again is
clean (``alembic check``)."""

from __future__ import annotations

from datetime import UTC, timedelta

from narrate_bot.storage import last_places
from narrate_bot.storage.migrate import check, upgrade
from tests.conftest import START
from tests.storage.test_migrations import _downgrade, _workspace
from tests.storage.test_update_posts_resync_migration import _run

BEFORE = "0061_narration_index_rules"
AT = START.astimezone(UTC)
T1 = {"platform": "slack", "external_id": "T1"}


async def test_where_someone_last_used_the_bot_is_kept_and_erased(empty_db):
    db = empty_db
    ids = await _workspace(db, BEFORE)
    await upgrade(db)
    await check(db)

    later = AT + timedelta(hours=1)
    async with db.transaction() as session:
        await last_places.keep(session, **T1, user_id="U1", channel_id="C1", at=AT)
        await last_places.keep(session, **T1, user_id="U2", channel_id="C1", at=AT)
        await last_places.keep(session, platform="slack", external_id="T9", user_id="U1",
                               channel_id="C1", at=AT)  # fmt: skip
    async with db.transaction() as session:
        await last_places.keep(session, **T1, user_id="U1", channel_id="C2", at=later)
    async with db.snapshot() as session:
        assert await last_places.last(session, **T1, user_id="U1") == "C2"
    async with db.transaction() as session:  # C1 refused a pointer: U1 is in C2 since
        await last_places.drop(session, **T1, user_id="U1", channel_id="C1")
        await last_places.drop(session, **T1, user_id="U2", channel_id="C1")
    async with db.snapshot() as session:
        assert await last_places.last(session, **T1, user_id="U1") == "C2"
        assert await last_places.last(session, **T1, user_id="U2") is None
        [kept] = await last_places.of_user(session, tenant_id=ids["tenant"], user_id="U1")
    assert (kept.channel_id, kept.seen_at) == ("C2", later)
    async with db.transaction() as session:
        await last_places.forget_user(session, tenant_id=ids["tenant"], user_id="U1")
    async with db.snapshot() as session:
        assert await last_places.last(session, **T1, user_id="U1") is None

    async with db.transaction() as session:
        await last_places.keep(session, **T1, user_id="U3", channel_id="C1", at=AT)
    await _run(db, "DELETE FROM tenant")
    assert await _run(db, "SELECT count(*) FROM last_place") == 0

    await _downgrade(db, BEFORE)
    await upgrade(db)
    await check(db)
