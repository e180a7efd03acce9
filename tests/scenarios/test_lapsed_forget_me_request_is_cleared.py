"""An unconfirmed forget-me stores when it was asked (``person.erase_requested_at``): the export
shows it while it may still be confirmed, and once its 10 minutes pass the scheduler's next
wake-up clears it. Before, it was kept for good after lapsing, and never exported."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from narrate_bot.storage.tables import Person


async def _requested(bot) -> dict[str, object]:
    async with bot.db.transaction() as session:
        people = (await session.exec(select(Person).order_by(Person.user_id))).all()
    return {p.user_id: p.erase_requested_at for p in people}


def _exported(out: str) -> dict[str, object]:
    return json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())


async def test_a_pending_request_is_exported_and_a_lapsed_one_cleared(chat, bot, clock):
    await chat.say(
        "alice: /narrate ledger migration",
        "bob: /narrate kafka consumer lag",
        "alice: /narrate forget-me",
    )
    asked = clock.now()
    data = _exported(await chat.say("alice: /narrate export"))
    assert datetime.fromisoformat(data["person"]["erase_requested_at"]) == asked

    await chat.say(":advance 9m")  # still within the window: kept, and still confirmable
    assert (await _requested(bot))["alice"] is not None
    await chat.say(":advance 2m")  # lapsed
    assert await _requested(bot) == {"alice": None, "bob": None}
    data = _exported(await chat.say("alice: /narrate export"))
    assert data["person"]["erase_requested_at"] is None
    assert len(data["narrations"]) == 1  # nothing was erased
    assert "Nothing to confirm" in await chat.say("alice: /narrate forget-me confirm")
