"""Profile facts people or platforms tell us: team and time zone."""

from __future__ import annotations

from datetime import datetime

from ..events import ProfileChanged
from ..knowledge.clean_text import clean_text
from ..knowledge.durations import parse_timezone
from ..replies import Reply
from ..storage import privacy as privacy_store
from ..storage import repositories as repo
from ..storage.database import Database, Session
from .follows import person_zone_moved
from .reminders import follow_zone, moved_text
from .schedule_settings import TENANT_ZONE_KEY
from .turn import Turn

MAX_TEAM = 100


async def set_team(turn: Turn, name: str) -> list[Reply]:
    name = " ".join(clean_text(name).split()).lstrip("#")
    async with turn.db.transaction() as session:
        if not name:
            # Also for a name with nothing visible in it: it would show as no team at all.
            person = await turn.known_person(session)
            current = person.team if person is not None else None
            if current:
                return [turn.reply(f"Your team is {current}. Change it with /narrate team <name>.")]
            return [turn.reply("You haven't set a team. Set it with /narrate team <name>.")]
        if len(name) > MAX_TEAM:
            return [turn.reply(f"Team names can be up to {MAX_TEAM} characters.")]
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        person.team = name
        session.add(person)
    return [turn.reply(f"Your team is now {name}.")]


async def set_timezone(turn: Turn, name: str) -> list[Reply]:
    if not name.strip():
        return [turn.reply("Which time zone? For example /narrate timezone Europe/Berlin.")]
    try:
        zone = parse_timezone(name)
    except ValueError as problem:
        return [turn.reply(str(problem))]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        assert person.id is not None
        moved = (
            await follow_zone(session, person_id=person.id, zone=zone.key, now=turn.now)
            if person.timezone != zone.key
            else []
        )
        if person.timezone != zone.key:
            await _digest_follows(session, person.id, person.tenant_id, zone.key, turn.now)
        person.timezone = zone.key
        session.add(person)
    return [turn.reply(" ".join([f"Your time zone is now {zone.key}.", *map(moved_text, moved)]))]


async def apply_profile(db: Database, event: ProfileChanged) -> None:
    """Record what the platform says; an invalid zone raises ``ValueError``, changing nothing."""
    zone = parse_timezone(event.timezone).key if event.timezone is not None else None
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session,
            platform=event.tenant.platform.value,
            external_id=event.tenant.tenant_id,
            name=event.tenant.name,
            now=event.occurred_at,
        )
        assert tenant.id is not None
        # Their user id first, as a command of theirs and their erasure take it: a forget-me
        # on another replica has committed (its mark is read below), or waits for this.
        await privacy_store.share_user_id(session, tenant_id=tenant.id, user_id=event.user.user_id)
        if await repo.find_person(
            session, tenant_id=tenant.id, user_id=event.user.user_id
        ) is None and await repo.is_forgotten(
            session, tenant_id=tenant.id, user_id=event.user.user_id
        ):
            # Forgotten: nothing of them is stored again (their name, time zone, team) until
            # they use the bot (``Turn.still_here`` clears the mark).
            return
        person = await repo.ensure_person(
            session,
            tenant_id=tenant.id,
            user_id=event.user.user_id,
            display_name=event.user.display_name,
            now=event.occurred_at,
            guest=event.user.guest,
            departed=event.departed,
        )
        if zone is not None and zone != person.timezone:
            assert person.id is not None
            # Said nowhere: a platform's profile sync has no one to reply to.
            await follow_zone(session, person_id=person.id, zone=zone, now=event.occurred_at)
            await _digest_follows(session, person.id, tenant.id, zone, event.occurred_at)
            person.timezone = zone
        if event.team is not None:
            person.team = " ".join(clean_text(event.team).split())[:MAX_TEAM] or None
        session.add(person)


async def _digest_follows(
    session: Session, person_id: int, tenant_id: int, zone: str, now: datetime
) -> None:
    """A followed-topics digest due at Monday 09:00 in the old zone may now come sooner."""
    workspace = await repo.get_setting(session, tenant_id=tenant_id, key=TENANT_ZONE_KEY)
    await person_zone_moved(session, person_id=person_id, zone=zone, workspace=workspace, now=now)
