"""Helpers for the scheduling tests: a recording gateway and quick ways to set schedules up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, time

from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_jobs import first_fire
from narrate_bot.knowledge.fire_times import parse_days
from narrate_bot.replies import Post
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.schedule_tables import Schedule

TENANT = TenantRef(platform=Platform.CONSOLE, tenant_id="t1", name="Acme")


@dataclass
class Recorder:
    """A ChatGateway that keeps every post; ``fail`` makes the next N posts raise."""

    posts: list[tuple[datetime | None, Post]] = field(default_factory=list)
    fail: int = 0
    clock: object | None = None

    async def post(self, tenant: TenantRef, post: Post) -> str:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("platform unavailable")
        now = self.clock.now() if self.clock is not None else None  # type: ignore[attr-defined]
        self.posts.append((now, post))
        return f"msg-{len(self.posts)}"


@dataclass
class FileSink:
    """A ChatGateway for other processes: one line per accepted post, appended atomically."""

    path: str
    label: str

    async def post(self, tenant: TenantRef, post: Post) -> str:
        line = f"{post.channel_id or ','.join(post.to_users)} {post.text} {self.label}\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return f"{self.label}-{os.getpid()}"


async def add_channel_prompts(
    db: Database,
    *,
    count: int,
    days: str,
    at: str,
    zone: str,
    now: datetime,
    kind: str = "prompt",
    tenant: TenantRef = TENANT,
    first: int = 0,
) -> list[int]:
    """``count`` channels, each with one schedule; returns the schedule ids."""
    ids = []
    async with db.transaction() as session:
        row = await repo.ensure_tenant(
            session,
            platform=tenant.platform.value,
            external_id=tenant.tenant_id,
            name=tenant.name,
            now=now,
        )
        assert row.id is not None
        for i in range(first, first + count):
            channel = await repo.ensure_channel(
                session, tenant_id=row.id, channel_id=f"c{i}", name=f"c{i}", kind="public"
            )
            schedule = Schedule(
                tenant_id=row.id,
                kind=kind,
                channel_pk=channel.id if kind != "intros" else None,
                days=parse_days(days),
                local_time=f"{time.fromisoformat(at):%H:%M}",
                timezone=zone,
                next_fire_at=now,
                created_at=now,
            )
            schedule.next_fire_at = first_fire(schedule, now=now).at
            session.add(schedule)
            await session.flush()
            assert schedule.id is not None
            ids.append(schedule.id)
    return ids
