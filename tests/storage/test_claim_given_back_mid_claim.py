"""A Slack event whose claim is given back while a retry is claiming it is the retry's to do.

On PostgreSQL the retry's ``INSERT … ON CONFLICT DO NOTHING`` can skip the row of a live claim
and then, its owner having given the claim back (its work failed), read nothing: that was taken
for "already handled" and the event was lost. Reading no row now means trying the insert again.
SQLite takes the write lock at ``BEGIN IMMEDIATE``: nobody writes between the two statements.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import event

from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database


async def test_a_claim_given_back_between_the_insert_and_the_read_is_claimed(db: Database):
    if db.dialect == "sqlite":
        pytest.skip("BEGIN IMMEDIATE: no other writer between the statements")
    now = datetime.now(UTC)
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="slack", external_id="T1", name="", now=now
        )
        assert tenant.id is not None
        tenant_id = tenant.id
        # Another worker's live claim: its work is running.
        session.add(
            ps.SeenEvent(
                tenant_id=tenant_id, event_id="Ev-r", claimed_at=now - timedelta(seconds=1)
            )
        )
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    given_back: list[str] = []

    def give_back_after_the_first_insert(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if given_back or not statement.lstrip().upper().startswith("INSERT INTO SEEN_EVENT"):
            return
        with psycopg.connect(url, autocommit=True) as other:  # its work failed: given back
            other.execute("DELETE FROM seen_event WHERE event_id = 'Ev-r'")
        given_back.append(statement)

    event.listen(db.engine.sync_engine, "after_cursor_execute", give_back_after_the_first_insert)
    try:
        claimed = await ps.claim_event(
            db, tenant_id=tenant_id, event_id="Ev-r", now=now, lease=timedelta(seconds=30)
        )
    finally:
        event.remove(
            db.engine.sync_engine, "after_cursor_execute", give_back_after_the_first_insert
        )
    assert given_back  # the claim was given back mid-claim, as the test means
    assert claimed  # nobody holds it: this retry does the work
    async with db.transaction() as session:
        row = await session.get(ps.SeenEvent, (tenant_id, "Ev-r"))
    assert row is not None and row.claimed_at == now and not row.done
