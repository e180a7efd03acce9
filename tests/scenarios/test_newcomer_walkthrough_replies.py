"""What a newcomer walking README in the console found (newcomer review, 2026-11-24).

A mistyped command word ("folow kafka", "topcis", "profil") was kept as a public narration; a
follow list with status words ("Stuck, blocked, kafka") was kept as a narration and followed
nothing; "edit 6" asked for the new words of a narration that doesn't exist; an edit lost the old
words for good; a schedule skip of a day long gone was confirmed; "pause until 2026-02-30" got
the generic pause hint and "pause 99999w" "couldn't read"; "unfollow kafka, stuck" answered
"You didn't follow kafka, stuck." as if it were one topic; and "intros" told someone who had
narrated nothing only "nobody yet".
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.preference_tables import FOLLOW, TopicPreference
from narrate_bot.storage.schedule_tables import ScheduleSkip
from narrate_bot.storage.tables import Narration


async def _narrations(db) -> list[str]:
    async with db.transaction() as session:
        rows = (await session.exec(select(Narration).order_by(Narration.id))).all()
    return [n.text for n in rows]


async def _followed(db) -> list[str]:
    async with db.transaction() as session:
        rows = (await session.exec(select(TopicPreference))).all()
    return sorted(r.topic for r in rows if r.kind == FOLLOW)


SLIPS = [
    ("folow kafka", "follow kafka"),
    ("follw kafka", "follow kafka"),
    ("unfolow kafka", "unfollow kafka"),
    ("topic", "topics"),
    ("topcis", "topics"),
    ("profil", "profile"),
    ("shedule list", "schedule list"),
]


@pytest.mark.parametrize(("typed", "meant"), SLIPS)
async def test_a_mistyped_command_word_is_answered_and_nothing_is_kept(chat, db, typed, meant):
    out = await chat.say(f"you in #general: /narrate {typed}")
    assert "Noted" not in out, out
    assert f"Did you mean /narrate {meant}?" in out
    assert f"I didn't keep this:\n  > {typed}\n" in out
    assert f"(button) Keep as a narration: /narrate note {typed}" in out
    assert await _narrations(db) == []
    # The button keeps the words exactly as typed, saying the command wasn't run.
    out = await chat.say(f"you in #general: /narrate note {typed}")
    assert "Noted as #1." in out
    assert await _narrations(db) == [typed]


async def test_updates_opening_with_words_near_a_command_are_kept(chat, db):
    kept = [
        "profiled the api",
        "mined logs",
        "paused the rollout",
        "joined the oncall",
        "topic modelling spike",
        "fellow engineers onboarded",
        "replay tests fixed",
    ]
    for number, text in enumerate(kept, start=1):
        assert f"Noted as #{number}." in await chat.say(f"you in #general: /narrate {text}")
    assert await _narrations(db) == kept


async def test_a_follow_list_with_status_words_follows_its_subjects(chat, db):
    out = await chat.say("you in #general: /narrate follow Stuck, blocked, kafka")
    assert "Noted" not in out, out
    assert "Following kafka." in out
    assert "“Stuck” and “blocked” say how work is going" in out
    assert await _followed(db) == ["kafka"]
    out = await chat.say("you in #general: /narrate follow Stuck, blocked")
    assert "Noted" not in out, out
    assert "“Stuck” and “blocked” say how work is going" in out and "Nothing was changed" in out
    assert await _followed(db) == ["kafka"] and await _narrations(db) == []


async def test_unfollow_names_each_topic_it_didnt_find(chat):
    await chat.say("you in #general: /narrate follow vault")
    out = await chat.say("you in #general: /narrate unfollow kafka, stuck")
    assert "You didn't follow “kafka” or “stuck”. You follow: vault." in out


async def test_edit_of_a_missing_number_says_so_at_once(chat):
    out = await chat.say("you in #general: /narrate edit 6")
    assert "You have no narration #6." in out and "What should" not in out
    await chat.say("you in #general: /narrate shipped the importer")
    assert "What should #1 say?" in await chat.say("you in #general: /narrate edit 1")


async def test_an_edit_quotes_what_it_replaced(chat, db):
    await chat.say("you in #general: /narrate shipped the importer")
    out = await chat.say("you in #general: /narrate edit 1 🚀")
    assert "Updated #1." in out and "It said: “shipped the importer”" in out
    assert await _narrations(db) == ["🚀"]


async def test_a_skip_of_a_day_long_gone_is_refused(chat, db):
    await chat.say("you in #general: /narrate schedule add weekdays 16:30")
    out = await chat.say("you in #general: /narrate schedule skip 1999-01-01")
    assert "1999-01-01 has already passed" in out and "Nothing was changed" in out
    async with db.transaction() as session:
        assert (await session.exec(select(ScheduleSkip))).all() == []


async def test_pause_says_what_is_wrong_with_the_day_or_the_length(chat, db):
    out = await chat.say("you in #general: /narrate pause until 2026-02-30")
    assert "2026-02-30 isn't a date: Feb 2026 has 28 days." in out
    out = await chat.say("you in #general: /narrate pause 99999w")
    assert "the most is 366d (52w)" in out
    assert await _narrations(db) == []


async def test_intros_tell_someone_who_never_narrated_how_to_take_part(chat):
    await chat.say("you in #general: /narrate intros join")
    out = await chat.say("you in #general: /narrate intros")
    assert "You're in the introductions; nobody yet." in out
    assert "Only people who narrated in the last three months" in out
    assert "/narrate <what you're working on>" in out
    await chat.say("you in #general: /narrate migrated the ledger to postgres")
    out = await chat.say("you in #general: /narrate intros")
    assert "nobody yet" in out and "Only people who narrated" not in out
