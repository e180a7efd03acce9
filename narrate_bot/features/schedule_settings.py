"""Workspace-wide schedule settings: who may change schedules, the workspace's time zone, and
when weekly connection suggestions go out (``/narrate intros schedule``, ``workspace-timezone``).
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ..knowledge.durations import parse_timezone
from ..knowledge.fire_times import WEEKDAYS, next_fire
from ..knowledge.schedule_words import parse_timing
from ..replies import Reply
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage.database import Session
from ..storage.schedule_tables import FOLLOW_UP, INTROS, Schedule
from ..storage.tables import Tenant
from .turn import Turn

MANAGERS_KEY = "schedule.managers"
TENANT_ZONE_KEY = "workspace.timezone"
INTROS_DEFAULT_DAY = 0  # Monday
INTROS_DEFAULT_TIME = time(10, 0)
FOLLOW_UP_AFTER_DAYS = 3  # Thursday for a Monday slot


def hhmm(at: time) -> str:
    return f"{at:%H:%M}"


def next_text(when: datetime, zone: str) -> str:
    return f"{when.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M %Z}"


async def restricted(session: Session, tenant: Tenant) -> bool:
    assert tenant.id is not None
    return await repo.get_setting(session, tenant_id=tenant.id, key=MANAGERS_KEY) == "admins"


async def may_manage_workspace(turn: Turn, session: Session, tenant: Tenant) -> str | None:
    if turn.event.user.is_admin or not await restricted(session, tenant):
        return None
    return "In this workspace only admins change workspace schedules (an admin chose that)."


async def put_intros_schedules(
    session: Session, *, tenant_id: int, weekday: int, at: time, zone: str, now: datetime
) -> None:
    """The weekly suggestions slot and its mid-week follow-up, moving any earlier ones.

    Existing rows are updated, never deleted: a round's queued posts (and a claimed job still
    waiting for its retry) are sends of that schedule, and deleting it cascades to them, so a
    round made before the change would never be delivered. Its week stays claimed either way
    (``intro_round``), so the new slot makes no second round in the same week.

    The tenant row is locked first, so two replicas (an admin's command and a tick adding the
    default slot) never both find no rows and both add them."""
    await repo.hold_tenant(session, tenant_id=tenant_id)
    old = await store.schedules_of(session, tenant_id=tenant_id, kinds=[INTROS, FOLLOW_UP])
    for kind, day in ((INTROS, weekday), (FOLLOW_UP, (weekday + FOLLOW_UP_AFTER_DAYS) % 7)):
        fire = next_fire(now, days=1 << day, at=at, zone=ZoneInfo(zone))
        rows = [row for row, _ in old if row.kind == kind]
        if not rows:
            await store.add_schedule(
                session,
                Schedule(
                    tenant_id=tenant_id,
                    kind=kind,
                    days=1 << day,
                    local_time=hhmm(at),
                    timezone=zone,
                    next_fire_at=fire.at,
                    created_at=now,
                ),
            )
        for row in rows:
            row.days, row.local_time, row.timezone = 1 << day, hhmm(at), zone
            row.next_fire_at = fire.at
            session.add(row)


async def intros_schedule(turn: Turn, arg: str) -> list[Reply]:
    if not arg.strip():
        return [turn.reply(await _intros_schedule_shown(turn))]
    try:
        timing = parse_timing(arg.split(), weekly=True)
        if timing.zone is not None:
            parse_timezone(timing.zone)
    except ValueError as problem:
        return [turn.reply(f"{problem} For example /narrate intros schedule mon 10:00.")]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        if (refusal := await may_manage_workspace(turn, session, tenant)) is not None:
            return [turn.reply(refusal)]
        # Before reading the workspace's zone: a concurrent workspace-timezone change either
        # lands first (and is read here) or waits and moves these rows after.
        await repo.hold_tenant(session, tenant_id=tenant.id)
        zone = timing.zone and parse_timezone(timing.zone).key
        if zone is None:
            zone = await repo.get_setting(session, tenant_id=tenant.id, key=TENANT_ZONE_KEY)
        zone = zone or "UTC"
        weekday = timing.days.bit_length() - 1
        await put_intros_schedules(
            session, tenant_id=tenant.id, weekday=weekday, at=timing.at, zone=zone, now=turn.now
        )
    follow = WEEKDAYS[(weekday + FOLLOW_UP_AFTER_DAYS) % 7]
    return [
        turn.reply(
            f"Connection suggestions go out {WEEKDAYS[weekday]} at {hhmm(timing.at)} ({zone}), "
            f"with a follow-up {follow} at {hhmm(timing.at)}."
        )
    ]


async def _intros_schedule_shown(turn: Turn) -> str:
    """``intros schedule`` alone: when suggestions go out now, and how to change it (it said
    "Give the days, a time …", as for a mistyped slot). A workspace without a slot yet gets
    the default one at the scheduler's next tick: that is what it shows."""
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        rows = await store.schedules_of(session, tenant_id=tenant.id, kinds=[INTROS])
        if rows:
            row = rows[0][0]
            weekday, at, zone = row.days.bit_length() - 1, row.local_time, row.timezone
        else:
            workspace = await repo.get_setting(session, tenant_id=tenant.id, key=TENANT_ZONE_KEY)
            weekday, at, zone = INTROS_DEFAULT_DAY, hhmm(INTROS_DEFAULT_TIME), workspace or "UTC"
    follow = WEEKDAYS[(weekday + FOLLOW_UP_AFTER_DAYS) % 7]
    return (
        f"Connection suggestions go out {WEEKDAYS[weekday]} at {at} ({zone}), with a follow-up "
        f"{follow} at {at}. Change it with /narrate intros schedule <day> <HH:MM> [zone], for "
        "example /narrate intros schedule mon 10:00 Europe/Berlin (admins, where only admins "
        "manage schedules)."
    )


async def workspace_timezone(turn: Turn, arg: str) -> list[Reply]:
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        current = await repo.get_setting(session, tenant_id=tenant.id, key=TENANT_ZONE_KEY)
        if not arg.strip():
            return [
                turn.reply(
                    f"This workspace's time zone is {current or 'not set (UTC)'}. Change it with "
                    "/narrate workspace-timezone Europe/Berlin."
                )
            ]
        try:
            zone = parse_timezone(arg).key
        except ValueError as problem:
            return [turn.reply(str(problem))]
        if (refusal := await may_manage_workspace(turn, session, tenant)) is not None:
            return [turn.reply(refusal)]
        await repo.hold_tenant(session, tenant_id=tenant.id)
        await repo.set_setting(
            session, tenant_id=tenant.id, key=TENANT_ZONE_KEY, value=zone, now=turn.now
        )
        # Connection suggestions keep their weekday and time, now in the workspace's zone.
        for row, _ in await store.schedules_of(
            session, tenant_id=tenant.id, kinds=[INTROS, FOLLOW_UP]
        ):
            row.timezone = zone
            row.next_fire_at = next_fire(
                turn.now, days=row.days, at=time.fromisoformat(row.local_time), zone=ZoneInfo(zone)
            ).at
            session.add(row)
        # Imported here: reminders builds on this module's helpers.
        from .reminders import follow_workspace_zone

        moved = await follow_workspace_zone(session, tenant_id=tenant.id, zone=zone, now=turn.now)
        # Followed-topics digests without a zone of their own come at 09:00 in this one now.
        from .follows import workspace_zone_moved

        await workspace_zone_moved(session, tenant_id=tenant.id, zone=zone, now=turn.now)
    text = (
        f"This workspace's time zone is now {zone}: new schedules and connection suggestions "
        "use it. Existing channel prompts keep the zone they were set with."
    )
    if moved:
        people = "person" if moved == 1 else "people"
        text += (
            f" Personal reminders of {moved} {people} without a time zone of their own moved "
            "with it."
        )
    return [turn.reply(text)]
