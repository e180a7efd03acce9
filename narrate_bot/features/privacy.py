"""A person's own data: export it all as JSON, or erase it all after a confirmation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from ..replies import Attachment, Button, Reply
from ..storage import privacy
from ..storage.tables import Person
from .turn import Turn

CONFIRM_WINDOW = timedelta(minutes=10)
CONFIRM_COMMAND = "/narrate forget-me confirm"


def erasure_pending(person: Person, now: datetime) -> bool:
    """Asked to be forgotten and may still confirm: scheduled messages hold off meanwhile. A
    request nobody confirmed lapses with its window, and reminders and follow-ups resume."""
    requested = person.erase_requested_at
    return requested is not None and now - CONFIRM_WINDOW <= requested <= now


async def export(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None:
            return [turn.reply("I have nothing stored about you.")]
        data = await privacy.export_person(session, person=person)
    data["exported_at"] = turn.now.isoformat()
    content = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    filename = f"narrate-export-{turn.event.user.user_id}-{turn.now:%Y%m%d-%H%M%S}.json"
    count = len(data["narrations"])
    return [
        turn.reply(
            f"Here is everything I store about you ({count} narration{'s' if count != 1 else ''}).",
            attachment=Attachment(filename=filename, content=content),
        )
    ]


async def request_erasure(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None:
            return [turn.reply("I have nothing stored about you, so there's nothing to forget.")]
        person.erase_requested_at = turn.now
        session.add(person)
    return [
        turn.reply(
            "This erases everything I store about you: your narrations, topics, settings and "
            "memberships, and their traces in the search index. It can't be undone "
            "(/narrate export first if you want a copy). To go ahead within 10 minutes: "
            f"{CONFIRM_COMMAND}",
            buttons=(Button(label="Erase everything", command=CONFIRM_COMMAND, danger=True),),
        )
    ]


async def confirm_erasure(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None:
            return [turn.reply("I have nothing stored about you.")]
        if not erasure_pending(person, turn.now):
            person.erase_requested_at = None  # a lapsed request is no request
            session.add(person)
            return [
                turn.reply(
                    "Nothing to confirm: ask with /narrate forget-me first, then confirm within "
                    "10 minutes. Nothing was erased."
                )
            ]
        removed = await privacy.erase_person(session, person=person, dialect=turn.db.dialect)
    await privacy.truncate_log(turn.db)
    return [
        turn.reply(
            f"Done: I erased everything about you, including {removed} "
            f"narration{'s' if removed != 1 else ''}. You can start again any time with "
            "/narrate join."
        )
    ]
