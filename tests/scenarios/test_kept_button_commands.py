"""Button commands kept under a key (``pending_actions``: "Keep as a narration" holds the
person's words) are theirs: export shows them, forget-me erases them, whether or not they ever
narrated; and the scheduler's wake-up forgets them after a week."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from narrate_bot.storage import pending_actions
from narrate_bot.storage.pending_action_tables import PendingAction
from tests.scenarios.test_privacy import _rows_mentioning

HERS = "/narrate note find the quokkaledger rollback notes before friday"


async def _kept_for(bot, user_id: str, command: str) -> str:
    return await pending_actions.keep(
        bot.db,
        platform="console",
        external_id="local",
        user_id=user_id,
        command=command,
        now=bot.clock.now(),
    )


async def _commands(db) -> dict[str, str]:
    async with db.snapshot() as s:
        return {r.user_id: r.command for r in (await s.exec(select(PendingAction))).all()}


def _export(out: str) -> dict:
    return json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())


async def test_export_shows_and_forget_me_erases_a_narrators_kept_button(chat, bot, db):
    await chat.say("alice: /narrate shipped the importer", "bob: /narrate on call")
    await _kept_for(bot, "alice", HERS)
    await _kept_for(bot, "bob", "/narrate note bob's own words " + "b" * 100)

    data = _export(await chat.say("alice: /narrate export"))
    assert data["button_commands"] == [{"command": HERS, "kept_at": "2026-11-23T08:00:00+00:00"}]
    bobs = _export(await chat.say("bob: /narrate export"))
    assert "quokkaledger" not in json.dumps(bobs)

    await chat.say("alice: /narrate forget-me")
    assert "Done" in await chat.say("alice: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "quokkaledger") == []
    assert list(await _commands(db)) == ["bob"]  # someone else's stays


async def test_someone_who_never_narrated_is_told_of_and_can_erase_their_kept_button(chat, bot, db):
    await _kept_for(bot, "dana", HERS)
    out = await chat.say("dana: /narrate export")
    assert "(0 narrations)" in out
    assert _export(out)["button_commands"][0]["command"] == HERS

    asked = await chat.say("dana: /narrate forget-me")
    assert "I store only your user id, with the words of 1 button I showed you" in asked
    assert "your user id is gone" in await chat.say("dana: /narrate forget-me confirm")
    assert await _commands(db) == {}
    assert "nothing stored" in await chat.say("dana: /narrate export")


async def test_the_wake_up_forgets_button_commands_after_a_week(bot, clock, db):
    old = await _kept_for(bot, "alice", HERS)
    clock.advance(timedelta(days=6, hours=23))
    await bot.run_due()
    found = await pending_actions.find(
        db, platform="console", external_id="local", key=old, now=clock.now()
    )
    assert found is not None and found.command == HERS and found.usable_by("alice")
    assert not found.usable_by("bob")
    fresh = await _kept_for(bot, "bob", "/narrate note newer words")

    clock.advance(timedelta(hours=2))  # a week and an hour since alice's
    gone = await pending_actions.find(
        db, platform="console", external_id="local", key=old, now=clock.now()
    )
    assert gone is None  # expired, swept or not
    await bot.run_due()
    assert await _commands(db) == {"bob": "/narrate note newer words"}
    assert await pending_actions.find(
        db, platform="console", external_id="local", key=fresh, now=clock.now()
    )
