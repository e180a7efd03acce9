"""The tick: claim what fell due, then deliver claimed sends (docs/adr/0007).

Two steps, each safe to run in several processes at once:

1. **Claim** (here). Due schedules are read (on PostgreSQL ``FOR UPDATE SKIP LOCKED``), their
   latest slot at or before *now* is claimed (coalesced: after downtime, one catch-up per
   schedule, and only within the grace period), and ``next_fire_at`` moves past *now*, in one
   transaction.
2. **Deliver** (``schedule_delivery``): leased, composed, posted and recorded, one send at a
   time, each failure one attempt of that send only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..clock import ManualClock
from ..knowledge.fire_times import Fire, latest_fire, next_fire, parse_time, zone_named
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage.database import Session
from ..storage.schedule_tables import DIGEST, INTROS, JOB_KINDS, PERSONAL, PROMPT, Schedule
from . import (
    digest_copies,
    follow_digest,
    intro_posts,
    narration_copies,
    question_nudges,
    update_post_resync,
    update_post_retries,
)
from .orphan_posts import delete_orphaned_posts
from .schedule_delivery import deliver_due, send_row
from .schedule_posts import reminder_key as reminder_key  # the schedule commands' import

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

REMINDER_AFTER = timedelta(hours=3)
CLAIM_BATCH = 500


@dataclass
class TickReport:
    claimed: int = 0
    sent: int = 0
    # Followed-topics digests still due after this tick's batch (``follow_digest.send_batch``).
    more: bool = False


def zone_of(schedule: Schedule, person_zone: str | None) -> ZoneInfo:
    """Personal prompts follow the person's current zone; everything else its own."""
    name = person_zone if schedule.kind == PERSONAL and person_zone else schedule.timezone
    try:
        return zone_named(name)
    except Exception:  # a zone removed from tzdata since it was stored: fall back, don't stop
        return ZoneInfo("UTC")


def first_fire(schedule: Schedule, *, now: datetime, person_zone: str | None = None) -> Fire:
    at = parse_time(schedule.local_time)
    return next_fire(now, days=schedule.days, at=at, zone=zone_of(schedule, person_zone))


def _skipped(day: str, ranges: list[tuple[str, str]]) -> bool:
    return any(first <= day <= last for first, last in ranges)


def plan(
    due: list[store.DueSchedule],
    *,
    now: datetime,
    grace: timedelta,
    skips: dict[int, list[tuple[str, str]]],
    reminders: set[int],
    jobs_enabled: bool,
) -> tuple[list[dict[str, Any]], list[tuple[int, datetime]]]:
    """The claims to insert and the next fire time of every due schedule."""
    rows: list[dict[str, Any]] = []
    updates: list[tuple[int, datetime]] = []
    for item in due:
        schedule = item.schedule
        assert schedule.id is not None
        zone = zone_of(schedule, item.person_zone)
        at = parse_time(schedule.local_time)
        updates.append((schedule.id, next_fire(now, days=schedule.days, at=at, zone=zone).at))
        latest = latest_fire(now, days=schedule.days, at=at, zone=zone)
        if latest is None or latest.at < schedule.next_fire_at or now - latest.at > grace:
            continue  # not yet this schedule's turn, or too stale to still be welcome
        if schedule.kind in JOB_KINDS and not jobs_enabled:
            continue
        slot = latest.slot.isoformat()
        pk = schedule.channel_pk
        if schedule.kind == PROMPT and pk is not None and _skipped(slot, skips.get(pk, [])):
            continue
        rows.append(send_row(schedule, slot, "main", due_at=latest.at, now=now))
        if schedule.kind == PROMPT and pk in reminders:
            rows.append(
                send_row(
                    schedule,
                    slot,
                    "reminder",
                    due_at=latest.at + REMINDER_AFTER,
                    now=now,
                    thread_part="main",
                )
            )
        if schedule.kind == DIGEST:
            rows.append(
                send_row(schedule, slot, "thread", due_at=latest.at, now=now, thread_part="main")
            )
    return rows, updates


async def _ensure_intros_schedules(bot: Bot, now: datetime) -> None:
    """Every workspace gets the default weekly slot (Monday 10:00, its zone) when none is set."""
    from . import schedule_settings as settings  # the defaults live with their command

    async with bot.db.snapshot() as session:  # every wake-up asks: the write lock only to add
        if not await store.tenants_without(session, kind=INTROS):
            return
    async with bot.db.transaction() as session:
        # In id order, each re-checked under its row lock: another replica's tick, or an
        # admin's `intros schedule`, may have added the slot since the list was read.
        for tenant in sorted(
            await store.tenants_without(session, kind=INTROS), key=lambda t: t.id or 0
        ):
            assert tenant.id is not None
            await repo.hold_tenant(session, tenant_id=tenant.id)
            if await store.schedules_of(session, tenant_id=tenant.id, kinds=[INTROS]):
                continue
            zone = await repo.get_setting(
                session, tenant_id=tenant.id, key=settings.TENANT_ZONE_KEY
            )
            await settings.put_intros_schedules(
                session,
                tenant_id=tenant.id,
                weekday=settings.INTROS_DEFAULT_DAY,
                at=settings.INTROS_DEFAULT_TIME,
                zone=zone or "UTC",
                now=now,
            )


async def claim_due(bot: Bot, now: datetime) -> int:
    grace = timedelta(minutes=bot.settings.schedule_grace_minutes)
    claimed = 0
    while True:
        async with bot.db.transaction() as session:
            due = await store.due_schedules(
                session, now=now, dialect=bot.db.dialect, limit=CLAIM_BATCH
            )
            if not due:
                return claimed
            pks = [d.schedule.channel_pk for d in due if d.schedule.channel_pk is not None]
            skips = await store.skip_days(session, channel_pks=pks)
            reminders = {pk for pk in set(pks) if await _reminder_on(session, due, pk)}
            rows, updates = plan(
                due,
                now=now,
                grace=grace,
                skips=skips,
                reminders=reminders,
                jobs_enabled=bot.introductions is not None,
            )
            claimed += await store.claim(session, rows=rows, dialect=bot.db.dialect)
            await store.set_next_fire(session, updates=updates)
        if len(due) < CLAIM_BATCH:
            return claimed


async def _reminder_on(session: Session, due: list[store.DueSchedule], pk: int) -> bool:
    tenant_id = next(d.schedule.tenant_id for d in due if d.schedule.channel_pk == pk)
    return await repo.get_setting(session, tenant_id=tenant_id, key=reminder_key(pk)) is not None


async def tick(bot: Bot, now: datetime | None = None) -> TickReport:
    """One pass: what APScheduler wakes every few seconds, and what tests call directly."""
    when = now if now is not None else bot.clock.now()
    if bot.introductions is not None:
        await _ensure_intros_schedules(bot, when)
    report = TickReport()
    report.claimed = await claim_due(bot, when)
    report.sent = await deliver_due(bot, when)
    # Form updates whose post in the prompt's thread failed for a passing reason, tried again.
    report.sent += await update_post_retries.retry_due(bot, when)
    # Followed topics' weekly DMs, each claimed per person and week (follow_digest), after the
    # prompts and in bounded batches: a large Monday continues at the next tick.
    sent, report.more = await follow_digest.send_batch(bot, when)
    report.sent += sent
    # Open questions nobody closed: their askers asked once (twice at most) if still open.
    report.sent += await question_nudges.send_due(bot, when)
    return report


async def run_due(bot: Bot, until: datetime) -> TickReport:
    """Run everything due up to ``until`` in order, each at its own due time.

    With a ``ManualClock`` (console, tests) the clock is set to each due time first, so what
    the jobs read as "now" is the moment they were meant for; the clock ends at ``until``.
    """
    platforms = [p.value for p in bot.gateways]
    if bot.introductions is not None:
        await _ensure_intros_schedules(bot, bot.clock.now())
    total = TickReport()
    after: datetime | None = None
    more = False
    while True:
        if more and after is not None:
            # The last tick's digests didn't all fit in its batch: another tick at once, which
            # delivers whatever prompts fell due meanwhile before the next batch.
            due: datetime | None = after
        else:
            async with bot.db.snapshot() as session:  # every wake-up asks: no write lock
                due = await store.next_due(session, after=after, until=until, platforms=platforms)
            digest = await follow_digest.next_due(bot, after=after, until=until)
            if digest is not None and (due is None or digest < due):
                due = digest
            retry = await update_post_retries.next_due(bot, after=after, until=until)
            if retry is not None and (due is None or retry < due):
                due = retry
            nudge = await question_nudges.next_due(bot, after=after, until=until)
            if nudge is not None and (due is None or nudge < due):
                due = nudge
        if due is None:
            break
        when = max(due, bot.clock.now())
        if isinstance(bot.clock, ManualClock):
            bot.clock.set(when)
        report = await tick(bot, when)
        total.claimed += report.claimed
        total.sent += report.sent
        more = report.more
        after = when
    if isinstance(bot.clock, ManualClock) and until > bot.clock.now():
        bot.clock.set(until)
    # Posts of form updates an older version edited or made "only me" without them: one probe
    # of an empty index when none is due. Before the orphaned posts' repair, which deletes the
    # ones taken out here in this same wake-up.
    await update_post_resync.resync(bot, until)
    # Posts of form updates whose narrations an older version deleted without them: every
    # wake-up, as that version keeps deleting after the upgrade (two index probes when none).
    # After the prompts and within a few seconds (``orphan_posts.BUDGET_SECONDS``): a slow
    # platform's deletes never hold this wake-up's prompts back, nor much the next one's.
    await delete_orphaned_posts(bot, until)
    # Followed-topics DMs whose edit (a quoted narration deleted or edited) the platform
    # hasn't confirmed yet: one index probe when none is due. After the prompts too, each
    # within its own few seconds: a slow platform's edits never hold prompts back.
    await narration_copies.sync(
        bot.db, bot.gateways, now=until, budget=narration_copies.BUDGET_SECONDS
    )
    # Weekly digests' lines of open questions an older version deleted without them: one read
    # of an empty table when there are none; after the prompts, as above.
    await digest_copies.take_out_gone(
        bot.db, bot.gateways, now=until, budget=digest_copies.BUDGET_SECONDS
    )
    # Introductions' channel posts naming someone forgotten since, whose edit the platform
    # hasn't confirmed yet: one index probe when none is due; after the prompts, as above.
    await intro_posts.sync(
        bot.db,
        bot.gateways,
        now=until,
        lease=timedelta(seconds=bot.settings.schedule_lease_seconds),
        budget=intro_posts.BUDGET_SECONDS,
    )
    return total
