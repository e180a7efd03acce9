"""Who-knows has an outcome measure: its asker may say an answer helped, once.

Success is questions answered, not activity: an answer that names people carries a "This helped"
button, which only its asker sees and only its asker's click counts. ``/narrate stats`` gives the
workspace's figure, "who-knows answers that helped: N of M asked", never per person, and only
once at least five people have asked (fewer would say who found help). The answers kept for it
are in the asker's export and go with their forget-me.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.features import who_knows
from narrate_bot.storage import database
from narrate_bot.storage.database import Database
from tests.helpers import Chat

THANKS = "Thanks: counted once, for the whole workspace."
ALREADY = "Already counted: you said this answer helped."
NOT_YOURS = "Only the person who asked can say this answer helped them. Nothing was counted."
BUTTON = re.compile(r"\(button\) This helped: (/narrate helped wk[0-9a-f]{12})")


def _button(out: str) -> str:
    [command] = BUTTON.findall(out)
    return command


async def _answers(db: Database) -> list[tuple[Any, ...]]:
    async with db.snapshot() as session:
        rows = await session.exec(  # type: ignore[call-overload]
            text("SELECT asker_user_id, helped_at FROM who_knows_answer ORDER BY id")
        )
        return [tuple(r) for r in rows.all()]


async def _narrated(chat: Chat) -> None:
    await chat.say(
        "alice@billing: /narrate kafka consumer lag fixed in billing",
        "bob@infra: /narrate upgraded the kafka brokers",
    )


async def test_only_the_asker_can_say_an_answer_helped_and_it_counts_once(chat, db):
    await _narrated(chat)
    out = await chat.say("carol: /narrate who kafka")
    assert "[only carol in #general] Who knows about “kafka”:" in out
    helped = _button(out)
    # Someone else sending the same button's command counts nothing.
    out = await chat.say(f"dave: {helped}")
    assert NOT_YOURS in out and THANKS not in out
    assert await _answers(db) == [("carol", None)]
    assert THANKS in await chat.say(f"carol: {helped}")
    assert ALREADY in await chat.say(f"carol: {helped}")  # a double click
    [(asker, helped_at)] = await _answers(db)
    assert asker == "carol" and helped_at is not None


async def test_an_answer_in_a_channel_offers_the_button_to_its_asker_alone(chat):
    await _narrated(chat)
    out = await chat.say("carol: @narrate who knows about kafka?")
    thread = out.split("[#general thread] ", 1)[1].split("\n[", 1)[0]
    assert "Who knows about “kafka”" in thread and "This helped" not in thread
    assert "[only carol in #general] Did this answer help?" in out
    assert THANKS in await chat.say(f"carol: {_button(out)}")


async def test_no_button_when_nobody_was_found(chat, db):
    out = await chat.say("carol: /narrate who cobol")
    assert "couldn't find anyone" in out and "This helped" not in out
    assert await _answers(db) == []


async def test_stats_count_answers_that_helped_never_per_person(chat):
    await _narrated(chat)
    helped = _button(await chat.say("carol: /narrate who kafka"))
    await chat.say(f"carol: {helped}")
    out = await chat.say("alice: /narrate stats")
    # Fewer than five people asked: the figure would say who found help.
    assert "who-knows answers that helped: shown once at least 5 people have asked" in out
    assert "1 of 1" not in out
    for asker in ("dave", "erin", "frank", "gina"):
        await chat.say(f"{asker}: /narrate who brokers", ":advance 1m")
    out = await chat.say("alice: /narrate stats")
    assert "• who-knows answers that helped: 1 of 5 asked (their askers said so)" in out
    assert "carol" not in out and "@" not in out


async def test_the_asker_exports_and_forgets_their_answers(chat, db):
    await _narrated(chat)
    await chat.say("carol: /narrate join", ":advance 1m")
    helped = _button(await chat.say("carol: /narrate who kafka"))
    await chat.say(":advance 1m", f"carol: {helped}")
    await chat.say("dave: /narrate who brokers")  # someone else's stays
    out = await chat.say("carol: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert data["who_knows_answers"] == [
        {"answered_at": "2026-11-23T08:01:00+00:00", "helped_at": "2026-11-23T08:02:00+00:00"}
    ]
    await chat.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
    assert [asker for asker, _ in await _answers(db)] == ["dave"]
    assert THANKS not in await chat.say(f"carol: {helped}")  # nothing left to count


async def test_someone_who_never_joined_exports_and_forgets_their_answers(chat, db):
    await _narrated(chat)
    helped = _button(await chat.say("carol: /narrate who kafka"))
    await chat.say(f"carol: {helped}")
    out = await chat.say("carol: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    [answer] = data["who_knows_answers"]
    assert answer["helped_at"] is not None
    await chat.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
    assert await _answers(db) == []


async def test_two_replicas_count_a_double_click_once(chat, db: Database, clock: ManualClock):
    await _narrated(chat)
    helped = _button(await chat.say("carol: /narrate who kafka"))
    other = Database(db.url)
    try:
        replicas = [
            Chat.create(bot, clock, export_dir=Path("/nonexistent"))
            for bot in (
                Bot(db=db, clock=clock, settings=Settings()),
                Bot(db=other, clock=clock, settings=Settings()),
            )
        ]
        said = await asyncio.gather(*(r.say(f"carol: {helped}") for r in replicas))
    finally:
        await other.dispose()
    assert sorted(THANKS in out for out in said) == [False, True], said
    assert sum(ALREADY in out for out in said) == 1, said
    [(_, helped_at)] = await _answers(db)
    assert helped_at is not None


async def test_a_narration_that_starts_with_helped_is_still_a_narration(chat, db):
    out = await chat.say("carol: /narrate helped the search team tune kafka")
    assert "Noted as #1" in out and "Only the person who asked" not in out
    out = await chat.say("carol: /narrate helped wk00000000000z")  # not a button's token
    assert "Noted as #2" in out
    assert "I can't find that answer" in await chat.say("carol: /narrate helped wk000000000000")
    assert await _answers(db) == []


async def test_a_forget_me_confirmed_while_the_answer_is_read_leaves_no_answer_behind(
    chat, db: Database, clock: ManualClock, monkeypatch
):
    """Carol never joined (no person row to hold): her forget-me, confirmed on another replica
    while her question's answer is being read, told her "Done", and the answer kept for its
    button stayed with her user id. Now it isn't kept, and she gets no button for it."""
    await _narrated(chat)
    await chat.say("carol: /narrate who kafka")  # she has something stored: one answer
    assert [asker for asker, _ in await _answers(db)] == ["carol"]
    # The replica's log checkpoint after the erasure waits for the question's open read no
    # longer than this (it is then left for later, as it would be).
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    other = Database(db.url)
    replica = Chat.create(
        Bot(db=other, clock=clock, settings=Settings()), clock, export_dir=Path("/nonexistent")
    )
    look_up = who_knows._look_up
    confirmed: list[str] = []

    async def forget_me_meanwhile(*args: Any, **kwargs: Any) -> Any:
        found = await look_up(*args, **kwargs)
        if not confirmed:
            confirmed.append(
                await replica.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
            )
        return found

    monkeypatch.setattr(who_knows, "_look_up", forget_me_meanwhile)
    try:
        clock.advance(timedelta(seconds=5))
        out = await chat.say("carol: /narrate who kafka")
    finally:
        await other.dispose()
    assert "your user id is gone" in confirmed[0], confirmed
    assert "@alice" in out and "This helped" not in out, out
    assert await _answers(db) == []
    monkeypatch.undo()
    # Her next question is a fresh start: its answer is kept, with its button.
    clock.advance(timedelta(seconds=5))
    assert "This helped" in await chat.say("carol: /narrate who kafka")
    assert [asker for asker, _ in await _answers(db)] == ["carol"]
