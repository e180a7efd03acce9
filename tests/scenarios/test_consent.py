"""Voluntary participation: nobody is enrolled until they act; pause, resume, leave, come back."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from narrate_bot.storage.tables import Person


async def _consent(db, user: str) -> str | None:
    async with db.transaction() as s:
        person = (await s.exec(select(Person).where(Person.user_id == user))).first()
        return person.consent if person else None


async def test_nobody_is_enrolled_until_they_narrate_or_join(chat, db):
    await chat.say("alice: @narrate who knows about kafka?", "alice: /narrate mine")
    assert await _consent(db, "alice") is None
    out = await chat.say("alice: /narrate join")
    assert "taking part" in out
    assert await _consent(db, "alice") == "joined"
    assert "already taking part" in await chat.say("alice: /narrate join")


async def test_the_end_of_a_pause_is_told_in_my_time_zone_or_in_utc(chat):
    # The clock reads 09:00 in Berlin (08:00 UTC).
    assert "Paused until 2026-11-23 16:00 UTC" in await chat.say("bob: /narrate pause 8h")
    await chat.say(":tz carol America/New_York")
    out = await chat.say("carol: /narrate pause 8h")
    assert "Paused until 2026-11-23 11:00 America/New_York" in out


async def test_pause_hides_me_from_answers_until_it_ends(chat, clock):
    await chat.say("bob in #infra: /narrate kafka broker upgrade")
    out = await chat.say("bob: /narrate pause 2w")
    assert "Paused until 2026-12-07" in out
    assert "couldn't find anyone" in await chat.say("alice: /narrate who kafka")
    clock.advance(timedelta(days=15))
    assert "@bob" in await chat.say("alice: /narrate who kafka")


async def test_resume_ends_a_pause_early(chat):
    await chat.say("bob in #infra: /narrate kafka broker upgrade", "bob: /narrate pause 3d")
    assert "pause is over" in await chat.say("bob: /narrate resume")
    assert "@bob" in await chat.say("alice: /narrate who kafka")
    assert "weren't paused" in await chat.say("bob: /narrate resume")


async def test_bad_pause_durations_are_explained(chat):
    await chat.say("bob: /narrate hello")
    assert "For how long?" in await chat.say("bob: /narrate pause")
    assert "couldn't read 'forever'" in await chat.say("bob: /narrate pause forever")
    assert "longer than a year" in await chat.say("bob: /narrate pause 400d")


async def test_leave_hides_me_and_narrating_again_brings_me_back(chat, db):
    await chat.say("bob in #infra: /narrate kafka broker upgrade")
    out = await chat.say("bob: /narrate leave")
    assert "You've left" in out and "forget-me" in out
    assert await _consent(db, "bob") == "left"
    assert "couldn't find anyone" in await chat.say("alice: /narrate who kafka")
    assert "nothing to leave" in await chat.say("carol: /narrate leave")
    out = await chat.say("bob: /narrate kafka connect workers")
    assert "Welcome back" in out
    assert "@bob" in await chat.say("alice: /narrate who kafka")


async def _prompt_in_team(chat) -> None:
    await chat.say(
        ":channel #team public",
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        ":advance 8h",
    )


async def test_a_reply_under_a_prompt_doesnt_bring_back_someone_who_left(chat, db):
    await _prompt_in_team(chat)
    await chat.say("bob in #infra: /narrate kafka broker upgrade", "bob: /narrate leave")
    out = await chat.say("bob in #team thread: thanks alice, nice work")
    assert "[only bob in #team] You left narrate-bot, so I didn't keep that reply." in out
    assert "(button) Take part: /narrate join" in out
    assert "Noted" not in out and "Welcome back" not in out
    assert await _consent(db, "bob") == "left"
    assert "thanks alice" not in await chat.say("bob: /narrate mine")
    assert "couldn't find anyone" in await chat.say("alice: /narrate who kafka")
    # Narrating explicitly still brings bob back, as /narrate leave told him.
    assert "Welcome back" in await chat.say("bob: /narrate kafka connect workers")
    assert "Noted as #3" in await chat.say("bob in #team thread: kafka lag alerts tuned")


async def test_a_reply_under_a_prompt_doesnt_enrol_someone_who_never_joined(chat, db):
    await _prompt_in_team(chat)
    out = await chat.say("carol in #team thread: +1, nice work everyone")
    assert "[only carol in #team] You're not taking part in narrate-bot" in out
    assert "/narrate join to take part" in out and "Noted" not in out
    assert await _consent(db, "carol") is None
    assert "haven't narrated" in await chat.say("carol: /narrate mine")
    await chat.say("carol: /narrate join")
    assert "Noted as #1" in await chat.say("carol in #team thread: drafting the launch plan")
