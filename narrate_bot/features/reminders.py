"""Personal prompts: ``/narrate remind me <days> <HH:MM>`` by direct message, in the person's own
time zone (the workspace's until they set one); ``/narrate remind off``. Pause and leave silence
them (checked at send time).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..knowledge.fire_times import describe_days, next_fire, parse_time, zone_named
from ..knowledge.schedule_words import parse_remind
from ..replies import Reply
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage.database import Session
from ..storage.schedule_tables import PERSONAL, Schedule
from .consent import enroll
from .schedule_settings import TENANT_ZONE_KEY, hhmm, next_text
from .turn import Turn


async def follow_zone(
    session: Session, *, person_id: int, zone: str, now: datetime
) -> list[Schedule]:
    """Re-time a person's reminders in the zone they just moved to; returns those that moved.

    The tick reads the person's current zone, but only once the stored ``next_fire_at`` (from
    the old zone) falls due: after a move east that is later than the new local time, so that
    day's reminder was silently skipped. A slot already sent today is not offered again (the
    claim would refuse it anyway), so the next time we tell the person is the one that comes.
    The person row is locked first, so a ``remind`` on another replica cannot replace the
    reminders between this read and these writes (one would keep the old zone).
    """
    await repo.hold_person(session, person_id=person_id)
    moved: list[Schedule] = []
    for row in await store.personal_schedules(session, person_id=person_id):
        if row.kind != PERSONAL or row.id is None:
            continue
        at, where = parse_time(row.local_time), zone_named(zone)
        fire = next_fire(now, days=row.days, at=at, zone=where)
        slot = fire.slot.isoformat()
        if await store.sibling(session, schedule_id=row.id, slot=slot, part="main"):
            fire = next_fire(fire.at, days=row.days, at=at, zone=where)
        if fire.at != row.next_fire_at:
            moved.append(row)
        row.timezone, row.next_fire_at = zone, fire.at
        session.add(row)
    return moved


async def follow_workspace_zone(
    session: Session, *, tenant_id: int, zone: str, now: datetime
) -> int:
    """Re-time the reminders of people who have no zone of their own in the workspace's new one;
    returns how many people's reminders moved.

    Their reminder was timed in the workspace's zone because they never set theirs
    (``reminder_zone``), so "09:30" meant the workspace's 09:30: when an admin moves the
    workspace, it should still mean that, not the old city's morning. People with their own zone
    keep it. Person rows are taken in id order, as every other path takes one, so two of these
    on two replicas queue instead of deadlocking.
    """
    people = await store.zoneless_reminder_people(session, tenant_id=tenant_id)
    moved = 0
    for person_id in people:
        if await follow_zone(session, person_id=person_id, zone=zone, now=now):
            moved += 1
    return moved


async def reminder_zone(session: Session, *, tenant_id: int, own: str | None) -> str | None:
    """The zone a new reminder is timed in: the person's own, else the workspace's.

    People who never set a zone still expect "remind me weekdays 09:30" to work where the
    workspace lives, rather than a refusal; it is stored on the row, which the tick falls back
    to while the person has no zone, and ``follow_zone`` re-times it once they set their own.
    ``None`` only when neither is known: guessing UTC would remind most people at an odd hour.
    """
    if own:
        return own
    return await repo.get_setting(session, tenant_id=tenant_id, key=TENANT_ZONE_KEY) or None


def moved_text(row: Schedule) -> str:
    return (
        f"Your reminder moved with you: {describe_days(row.days)} at {row.local_time} "
        f"({row.timezone}), next {next_text(row.next_fire_at, row.timezone)}."
    )


async def remind(turn: Turn, arg: str) -> list[Reply]:
    try:
        request = parse_remind(arg)
    except ValueError as problem:
        return [turn.reply(str(problem))]
    async with turn.db.transaction() as session:
        if request.action == "show" or request.action == "off":
            person = await turn.known_person(session)
            if request.action == "off" and person is not None and person.id is not None:
                await repo.hold_person(session, person_id=person.id)
            mine = (
                await store.personal_schedules(session, person_id=person.id)
                if person is not None and person.id is not None
                else []
            )
            if request.action == "off":
                await store.delete_schedules(session, ids=[s.id for s in mine if s.id])
                if not mine:
                    return [turn.reply("You have no reminder; nothing to turn off.")]
                return [turn.reply("Your reminder is off.")]
            if not mine:
                return [
                    turn.reply(
                        "You have no reminder. /narrate remind me weekdays 16:30 sets one, "
                        "in your own time zone."
                    )
                ]
            row = mine[0]
            zone = person.timezone if person is not None and person.timezone else row.timezone
            return [
                turn.reply(
                    f"I remind you {describe_days(row.days)} at {row.local_time} ({zone}). "
                    "/narrate remind off stops it."
                )
            ]
        assert request.timing is not None
        tenant = await turn.tenant(session)
        forgotten = [turn.reply("You were just forgotten (forget-me), so no reminder was set.")]
        # Their user id, and their row if they have one, before anything is written, as every
        # command takes them (``Turn.still_here``): a newcomer's forget-me on another replica
        # has committed (and nothing is set), or waits for this (and deletes what it stores).
        if not await turn.still_here(session, tenant):
            return forgotten
        person = await turn.person(session, tenant)
        assert tenant.id is not None and person.id is not None
        # One reminder per person: with the row locked, a second `remind` at the same moment
        # (another replica) waits, then replaces this one instead of adding its own beside it.
        if not await repo.hold_person(session, person_id=person.id):
            return forgotten
        timed_in = await reminder_zone(session, tenant_id=tenant.id, own=person.timezone)
        if timed_in is None:
            return [
                turn.reply(
                    "I don't know your time zone yet, and this workspace has none either. Set "
                    "yours with /narrate timezone Europe/Berlin (your own), then ask again."
                )
            ]
        welcome = enroll(person, turn.now)
        session.add(person)
        old = await store.personal_schedules(session, person_id=person.id)
        await store.delete_schedules(session, ids=[s.id for s in old if s.id])
        timing = request.timing
        fire = next_fire(turn.now, days=timing.days, at=timing.at, zone=ZoneInfo(timed_in))
        await store.add_schedule(
            session,
            Schedule(
                tenant_id=tenant.id,
                kind=PERSONAL,
                person_id=person.id,
                days=timing.days,
                local_time=hhmm(timing.at),
                timezone=timed_in,
                next_fire_at=fire.at,
                created_at=turn.now,
            ),
        )
    whose = "your time zone" if person.timezone else "the workspace's time zone"
    text = (
        f"I'll remind you by direct message {describe_days(timing.days)} at {hhmm(timing.at)} "
        f"in {whose} ({timed_in}). Next: {next_text(fire.at, timed_in)}. "
        "/narrate remind off stops it; pausing or leaving silences it too."
    )
    if not person.timezone:
        text += (
            "\nI don't know your own time zone yet: set it with /narrate timezone <Area/City> "
            "(for example America/New_York) and the reminder moves to it."
        )
    return [turn.reply(text + (f"\n{welcome}" if welcome else ""))]
