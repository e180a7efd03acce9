"""PostgreSQL keeps samples of column values for its planner (``pg_stats``). After a forget-me or
a removed workspace the erased text, user ids and names must not stay readable there until the
next autovacuum analyze. (SQLite keeps no such samples: the app never runs ANALYZE there.)"""

from __future__ import annotations

import pytest
from sqlalchemy import text

SAMPLES = """
    SELECT coalesce(most_common_vals::text, '') || ' ' || coalesce(histogram_bounds::text, '')
           || ' ' || coalesce(most_common_elems::text, '')
    FROM pg_stats WHERE schemaname = current_schema()
"""


async def _statistics(db) -> str:
    async with db.engine.connect() as connection:
        return " ".join((await connection.execute(text(SAMPLES))).scalars().all())


async def _analyzed(db) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


@pytest.fixture
def postgres_only(db):
    if db.dialect != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")


async def test_forget_me_leaves_nothing_in_the_planners_samples(chat, db, postgres_only):
    await chat.say(
        "alice: /narrate zanzibarquux ledger migration",
        "alice in dm: /narrate my private salary note hrmanagerx",
        "carol: /narrate kafka streams for the launch",
        "bob: /narrate terraform modules",
    )
    await _analyzed(db)
    before = await _statistics(db)
    assert "hrmanagerx" in before and "alice" in before  # what the test would miss otherwise
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    after = await _statistics(db)
    assert "hrmanagerx" not in after and "zanzibarquux" not in after and "alice" not in after
    assert "carol" in after  # others' rows are still sampled


async def test_a_removed_workspace_leaves_nothing_in_the_planners_samples(
    chat, bot, clock, db, postgres_only
):
    """Another workspace carries on (PostgreSQL keeps the last samples of a table that has
    become empty: no ANALYZE can clear them, README)."""
    from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef

    other = TenantRef(platform=Platform.DISCORD, tenant_id="222", name="Other")
    for n in range(3):
        await bot.handle(
            CommandInvoked(
                event_id=f"other-{n}",
                tenant=other,
                user=UserRef(user_id=f"77{n}", display_name=f"pat{n}"),
                channel=ChannelRef(channel_id="2220", name="general"),
                occurred_at=clock.now(),
                command="narrate",
                text=f"terraform modules for the other guild {n}",
            )
        )
    from sqlmodel import select

    from narrate_bot.storage.privacy import erase_tenant, truncate_log
    from narrate_bot.storage.tables import Tenant

    await chat.say(
        "alice in dm: /narrate my private salary note hrmanagerx",
        "carol: /narrate kafka streams for the launch",
    )
    await _analyzed(db)
    assert "hrmanagerx" in await _statistics(db)
    async with db.transaction() as session:
        [tenant] = (await session.exec(select(Tenant).where(Tenant.platform == "console"))).all()
        assert tenant.id is not None
        await erase_tenant(session, tenant_id=tenant.id, dialect=db.dialect)
    await truncate_log(db)  # what the Slack and Discord adapters call after removing a tenant
    after = await _statistics(db)
    assert "hrmanagerx" not in after and "carol" not in after
    assert "terraform" in after  # the other workspace is still sampled
