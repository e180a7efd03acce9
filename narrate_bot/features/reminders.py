"""Personal prompts: ``/narrate remind me <days> <HH:MM>`` by direct message, in the person's own
time zone; ``/narrate remind off``. Pause and leave silence them (checked at send time).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ..knowledge.fire_times import describe_days, next_fire
from ..knowledge.schedule_words import parse_remind
from ..replies import Reply
from ..storage import schedules as store
from ..storage.schedule_tables import PERSONAL, Schedule
from .consent import enroll
from .schedule_settings import hhmm, next_text
from .turn import Turn


async def remind(turn: Turn, arg: str) -> list[Reply]:
    try:
        request = parse_remind(arg)
    except ValueError as problem:
        return [turn.reply(str(problem))]
    async with turn.db.transaction() as session:
        if request.action == "show" or request.action == "off":
            person = await turn.known_person(session)
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
        person = await turn.person(session, tenant)
        if not person.timezone:
            return [
                turn.reply(
                    "I don't know your time zone yet. Set it with /narrate timezone "
                    "Europe/Berlin (your own), then ask again."
                )
            ]
        assert tenant.id is not None and person.id is not None
        welcome = enroll(person, turn.now)
        session.add(person)
        old = await store.personal_schedules(session, person_id=person.id)
        await store.delete_schedules(session, ids=[s.id for s in old if s.id])
        timing = request.timing
        fire = next_fire(turn.now, days=timing.days, at=timing.at, zone=ZoneInfo(person.timezone))
        await store.add_schedule(
            session,
            Schedule(
                tenant_id=tenant.id,
                kind=PERSONAL,
                person_id=person.id,
                days=timing.days,
                local_time=hhmm(timing.at),
                timezone=person.timezone,
                next_fire_at=fire.at,
                created_at=turn.now,
            ),
        )
    text = (
        f"I'll remind you by direct message {describe_days(timing.days)} at {hhmm(timing.at)} "
        f"in your time zone ({person.timezone}). Next: {next_text(fire.at, person.timezone)}. "
        "/narrate remind off stops it; pausing or leaving silences it too."
    )
    return [turn.reply(text + (f"\n{welcome}" if welcome else ""))]
