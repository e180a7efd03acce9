"""A person's own page (Slack's App Home): recent narrations, their topics, their settings.

Returned as a structured value, not text, so each platform lays it out its own way; the buttons
are ordinary ``/narrate`` subcommands so every action on the page goes through the same code as
typing them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ..events import TenantRef
from ..knowledge.topics import shows_a_subject
from ..replies import Button
from ..storage import repositories as repo
from ..storage.database import Database, Session
from .narrate import snippet
from .turn import reader_calendar

RECENT = 10
TOP_TOPICS = 12


@dataclass(frozen=True)
class HomeNarration:
    ordinal: int
    created_at: datetime
    text: str
    link: str | None


@dataclass(frozen=True)
class HomeSummary:
    enrolled: bool
    consent: str  # none | joined | left
    timezone: str | None
    team: str | None
    paused_until: datetime | None
    recent: tuple[HomeNarration, ...] = ()
    topics: tuple[str, ...] = ()
    actions: tuple[Button, ...] = field(default_factory=tuple)


def _actions(consent: str, paused: bool) -> tuple[Button, ...]:
    buttons = [Button(label="Write my update", command="/narrate")]
    if consent != "joined":
        buttons.append(Button(label="Join", command="/narrate join"))
    elif paused:
        buttons.append(Button(label="Resume", command="/narrate resume"))
    else:
        buttons.append(Button(label="Pause for a week", command="/narrate pause 1w"))
    buttons += [
        Button(label="My narrations", command="/narrate mine"),
        Button(label="Export my data", command="/narrate export"),
    ]
    if consent == "joined":
        buttons.append(Button(label="Leave", command="/narrate leave", danger=True))
    buttons.append(Button(label="Forget me", command="/narrate forget-me", danger=True))
    return tuple(buttons)


async def summary(db: Database, *, tenant: TenantRef, user_id: str, now: datetime) -> HomeSummary:
    """What the person's page shows; read-only, so opening it never enrols anyone. Read from a
    snapshot, which on SQLite waits for no writer, unless the workspace is new or renamed."""
    where = {"platform": tenant.platform.value, "external_id": tenant.tenant_id}
    async with db.snapshot() as session:
        row = await repo.current_tenant(session, name=tenant.name, **where)
        if row is not None:
            return await _summary(session, tenant_id=row.id, user_id=user_id, now=now)
    async with db.transaction() as session:
        row = await repo.ensure_tenant(session, name=tenant.name, now=now, **where)
        return await _summary(session, tenant_id=row.id, user_id=user_id, now=now)


async def _summary(
    session: Session, *, tenant_id: int | None, user_id: str, now: datetime
) -> HomeSummary:
    assert tenant_id is not None
    person = await repo.find_person(session, tenant_id=tenant_id, user_id=user_id)
    if person is None or person.id is None:
        return HomeSummary(
            enrolled=False,
            consent="none",
            timezone=None,
            team=None,
            paused_until=None,
            actions=_actions("none", paused=False),
        )
    rows = await repo.recent_narrations(session, person_id=person.id, limit=RECENT)
    topics = await repo.topics_of(session, narration_ids=[n.id for n, _ in rows if n.id])
    # Times on the person's own clock, so the dates a platform prints are their calendar's.
    calendar = await reader_calendar(session, tenant_id=tenant_id, person=person, now=now)
    # What "Your topics" shows are subjects ("latest" and "wrong" stay topics for matching only).
    counts = Counter(t for names in topics.values() for t in names if shows_a_subject(t))
    until = person.paused_until
    paused = until is not None and until > now
    return HomeSummary(
        enrolled=True,
        consent=person.consent,
        timezone=person.timezone,
        team=person.team,
        paused_until=calendar.local(until) if until is not None and paused else None,
        recent=tuple(
            HomeNarration(
                ordinal=n.ordinal,
                created_at=calendar.local(n.created_at),
                text=snippet(n.text, 200),
                link=n.link,
            )
            for n, _ in rows
        ),
        topics=tuple(topic for topic, _ in counts.most_common(TOP_TOPICS)),
        actions=_actions(person.consent, paused),
    )
