"""Each Slack event's effects happen once, however often Slack delivers it.

Slack retries an event it didn't get a timely 200 for (three times, then hourly with Delayed
Events), and Socket Mode redelivers over any live connection. Retries are never dropped by
header: one that arrives after a crash (a claim left past its lease) does the work. Instead the
event id is claimed in the database before the work and marked done after it
(``storage.platform_store``). Slack never redelivers because our work failed after the 200, so
that is recovered in process (``recovery.py``); the claim is given back only when nobody could
be told.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from narrate_bot.events import TenantRef
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database

from . import recovery, translate
from .gateway import ENTERPRISE_KEY, SlackGateway
from .store import PLATFORM

log = logging.getLogger(__name__)
SEEN_KEEP = timedelta(hours=72)  # >= 48 h: Slack's delayed-event retries span 24 h
CLAIM_LEASE = timedelta(seconds=30)  # a claim older than this, not done, was left by a crash
PURGE_EVERY = 3600.0
RACE_RETRIES = 3
Payload = dict[str, Any]


class NotClaimed(Exception):
    """The event couldn't be claimed (the database didn't answer): nothing was done."""


def enterprise_of(body: Payload) -> str | None:
    enterprise = body.get("enterprise")
    return body.get("enterprise_id") or (
        enterprise.get("id") if isinstance(enterprise, dict) else None
    )


class EventDedupe:
    def __init__(self, db: Database, gateway: SlackGateway) -> None:
        self.db = db
        self.gateway = gateway
        self._tenant_pks: dict[str, int] = {}
        self._last_purge = 0.0

    def forget(self, tenant_key: str) -> None:
        """The workspace was erased: its row id must be looked up (or created) again."""
        self._tenant_pks.pop(tenant_key, None)

    async def tenant_pk(self, tenant: TenantRef, enterprise_id: str | None) -> int:
        """Our row for the workspace, created on first sight; remembers its Grid org too."""
        found = self._tenant_pks.get(tenant.tenant_id)
        if found is not None:
            return found
        now = datetime.now(UTC)
        pk = 0
        for attempt in range(RACE_RETRIES):
            try:
                async with self.db.transaction() as session:
                    row = await repo.ensure_tenant(
                        session,
                        platform=PLATFORM,
                        external_id=tenant.tenant_id,
                        name=tenant.name,
                        now=now,
                    )
                    assert row.id is not None
                    pk = row.id
                    if enterprise_id and enterprise_id != tenant.tenant_id:
                        await repo.set_setting(
                            session, tenant_id=pk, key=ENTERPRISE_KEY, value=enterprise_id, now=now
                        )
                break
            except Exception as error:
                if not ps.lost_a_race(error) or attempt == RACE_RETRIES - 1:
                    raise
        if enterprise_id:
            self.gateway.enterprise_of[tenant.tenant_id] = enterprise_id
        self._tenant_pks[tenant.tenant_id] = pk
        return pk

    async def once(
        self, body: Payload, work: Callable[[], Awaitable[None]], delays: Sequence[float] = ()
    ) -> bool:
        """Run ``work`` once to completion per event id, across retries and replicas. Claiming
        is tried again after each of ``delays``; ``NotClaimed`` when it never succeeds."""
        event_id = body.get("event_id")
        if not event_id:
            await work()
            return True
        now = datetime.now(UTC)

        async def claim() -> tuple[int, bool]:
            pk = await self.tenant_pk(translate.tenant_of(body), enterprise_of(body))
            claimed = await ps.claim_event(
                self.db, tenant_id=pk, event_id=str(event_id), now=now, lease=CLAIM_LEASE
            )
            return pk, claimed

        try:
            pk, claimed = await recovery.attempts(claim, delays, "event claim")
        except Exception as error:
            raise NotClaimed from error
        if not claimed:
            log.debug("event %s already handled", event_id)
            return False
        try:
            await work()
        except BaseException:
            await ps.release_event(self.db, tenant_id=pk, event_id=str(event_id))
            raise
        await ps.finish_event(self.db, tenant_id=pk, event_id=str(event_id))
        if time.monotonic() - self._last_purge > PURGE_EVERY:
            self._last_purge = time.monotonic()
            await ps.purge_seen_events(self.db, before=now - SEEN_KEEP)
        return True
