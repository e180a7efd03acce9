"""How who-knows reads the database on PostgreSQL: planner settings that don't leak.

The windows' planner settings (custom plans, no parallel workers, no JIT) are set once per
question (ADR 0006); left behind, they would change every later statement of the caller's
transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlmodel import col

from narrate_bot.knowledge.words import SearchTerm
from narrate_bot.storage import search
from narrate_bot.storage.tables import Channel, Narration, Person, Tenant

NOW = datetime(2026, 11, 1, tzinfo=UTC)
SETTINGS = ("plan_cache_mode", "max_parallel_workers_per_gather", "jit")


async def _seed(db) -> int:
    async with db.engine.begin() as conn:
        tenant = (
            await conn.execute(
                insert(Tenant).returning(col(Tenant.id)),
                [{"platform": "console", "external_id": "w", "created_at": NOW}],
            )
        ).scalar_one()
        channel = (
            await conn.execute(
                insert(Channel).returning(col(Channel.id)),
                [{"tenant_id": tenant, "channel_id": "C1", "kind": "public"}],
            )
        ).scalar_one()
        people = list(
            (
                await conn.execute(
                    insert(Person).returning(col(Person.id)),
                    [
                        {"tenant_id": tenant, "user_id": u, "consent": "joined", "created_at": NOW}
                        for u in ("alice", "bob")
                    ],
                )
            ).scalars()
        )
        await conn.execute(
            insert(Narration),
            [
                {
                    "tenant_id": tenant,
                    "person_id": people[k % 2],
                    "channel_pk": channel,
                    "ordinal": k,
                    "source": "command",
                    "audience": "channel",
                    "text": f"tuned the kafka consumer {k}",
                    "created_at": NOW - timedelta(days=k),
                }
                for k in range(1, 40)
            ],
        )
    return int(tenant)


async def test_the_windows_planner_settings_are_restored_after_a_question(db):
    if db.dialect != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    tenant = await _seed(db)
    read = text(", ".join(f"current_setting('{name}')" for name in SETTINGS).join(("SELECT ", "")))
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(text("SELECT set_config('jit', 'on', true)"))
        before = tuple((await connection.execute(read)).one())
        async with search.planner_settings(session, db.dialect):
            during = tuple((await connection.execute(read)).one())
        evidence = await search.find_evidence(
            session,
            dialect=db.dialect,
            tenant_id=tenant,
            viewer_user_id="carol",
            answer_channel_pk=None,
            terms=[SearchTerm(words=("kafka",))],
            now=NOW,
        )
        after = tuple((await connection.execute(read)).one())
    assert evidence.hits  # the question was really answered in between
    assert during == ("force_custom_plan", "0", "off")
    assert after == before
    assert before[2] == "on"
