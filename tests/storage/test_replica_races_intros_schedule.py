"""Two replicas and a workspace's weekly introductions slot: the day an admin picks is the day
introductions go out, and the workspace's zone they set at the same moment is the one used.

Before, a tick adding the default slot (Monday 10:00) on one replica and an admin's
`intros schedule wed 10:00` on the other both found no slot and both added theirs: the admin
was told Wednesday and introductions went out Monday, every week. PostgreSQL is how replicas
share a database (ADR 0003); on SQLite writers are serialized and the same assertions hold.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from tests.conftest import START

ROUNDS = 15
_ids = itertools.count()
GENERAL = ChannelRef(channel_id="general", name="general")


class _Outbox:
    """A gateway that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Post]] = []

    async def post(self, tenant: TenantRef, post: Post) -> str:
        await asyncio.sleep(0)
        self.posts.append((tenant.tenant_id, post))
        return f"m{next(_ids)}"


@pytest.fixture
async def replicas(db: Database, clock: ManualClock) -> AsyncIterator[tuple[Bot, Bot, _Outbox]]:
    outbox = _Outbox()
    other = Database(db.url)
    gateways = {Platform.CONSOLE: outbox}
    yield (
        Bot(db=db, clock=clock, settings=Settings(), gateways=gateways),  # type: ignore[arg-type]
        Bot(db=other, clock=clock, settings=Settings(), gateways=gateways),  # type: ignore[arg-type]
        outbox,
    )
    await other.dispose()


def _say(tenant: TenantRef, user: str, words: str, *, admin: bool = False) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"intros-race{next(_ids)}",
        tenant=tenant,
        user=UserRef(user_id=user, display_name=user, is_admin=admin),
        channel=GENERAL,
        occurred_at=START,
        command="narrate",
        text=words,
    )


async def _workspace_without_a_slot(bot: Bot, n: int) -> TenantRef:
    """Two people from different teams who joined introductions; no slot yet (as on Slack,
    where the workspace row exists before any command is answered)."""
    tenant = TenantRef(platform=Platform.CONSOLE, tenant_id=f"W{n}", name=f"workspace {n}")
    for user, team, work in (
        ("alice", "payments", "rate limiting for the checkout api"),
        ("carol", "search", "rate limiting the search api"),
    ):
        await bot.handle(_say(tenant, user, f"team {team}"))
        await bot.handle(_say(tenant, user, "intros join"))
        await bot.handle(_say(tenant, user, work))
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            text(
                "DELETE FROM schedule"
                " WHERE tenant_id = (SELECT id FROM tenant WHERE external_id = :w)"
            ),
            {"w": tenant.tenant_id},
        )
    return tenant


async def test_the_day_an_admin_picks_wins_over_a_tick_adding_the_default(replicas, clock):
    first, second, outbox = replicas
    tenants = []
    for n in range(ROUNDS):
        tenant = await _workspace_without_a_slot(first, n)
        tick, told = await asyncio.gather(
            first.run_due(clock.now()),
            second.handle(_say(tenant, "alice", "intros schedule wed 10:00", admin=True)),
        )
        assert "go out wed at 10:00" in told[0].text.lower()
        tenants.append(tenant.tenant_id)
    outbox.posts.clear()
    # The week, both replicas ticking together.
    days: dict[str, set[str]] = {t: set() for t in tenants}
    step = START
    while step < START + timedelta(days=6):
        step += timedelta(hours=1)
        clock.set(step)
        before = len(outbox.posts)
        await asyncio.gather(first.run_due(step), second.run_due(step))
        for tenant_id, post in outbox.posts[before:]:
            if ", meet " in post.text:
                days[tenant_id].add(step.strftime("%a"))
    assert days == {t: {"Wed"} for t in tenants}


async def test_a_zone_set_at_the_same_moment_is_the_one_the_slot_uses(replicas, clock):
    first, second, _ = replicas
    for n in range(ROUNDS):
        tenant = await _workspace_without_a_slot(first, 100 + n)
        await asyncio.gather(
            first.handle(_say(tenant, "alice", "intros schedule wed 10:00", admin=True)),
            second.handle(_say(tenant, "bob", "workspace-timezone Asia/Tokyo", admin=True)),
        )
        async with first.db.engine.connect() as conn:
            zones = (
                (
                    await conn.execute(
                        text(
                            "SELECT DISTINCT s.timezone FROM schedule s JOIN tenant t"
                            " ON t.id = s.tenant_id WHERE t.external_id = :w"
                        ),
                        {"w": tenant.tenant_id},
                    )
                )
                .scalars()
                .all()
            )
        assert zones == ["Asia/Tokyo"], (n, zones)
