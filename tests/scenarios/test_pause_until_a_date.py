"""``/narrate pause until <date>`` pauses up to the start of that day on the person's calendar
(their time zone, else the workspace's, else UTC). It used to be kept as a narration, with a
hint to type a duration instead; a date that passed, today, a year away or no date at all is
explained and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from narrate_bot.storage.tables import Narration, Person


async def _people(db) -> dict[str, datetime | None]:
    async with db.transaction() as s:
        people = (await s.exec(select(Person))).all()
        assert not (await s.exec(select(Narration))).all()  # nothing kept as a narration
    return {
        p.user_id: p.paused_until.replace(tzinfo=UTC) if p.paused_until else None for p in people
    }


async def test_pause_until_a_date_in_the_persons_then_the_workspaces_zone(chat, db):
    # clock starts on 2026-11-23 (UTC)
    out = await chat.say(":tz alice Europe/Berlin", "alice: /narrate pause until 2026-12-28")
    assert "Noted" not in out
    assert "Paused until 2026-12-28 00:00 Europe/Berlin" in out
    await chat.say(":admin zoe", "zoe: /narrate workspace-timezone America/New_York")
    out = await chat.say("bob: /narrate pause till dec 28")
    assert "Paused until 2026-12-28 00:00 America/New_York" in out
    paused = await _people(db)
    assert paused["alice"] == datetime(2026, 12, 27, 23, 0, tzinfo=UTC)
    assert paused["bob"] == datetime(2026, 12, 28, 5, 0, tzinfo=UTC)
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine")


async def test_a_weekday_is_the_next_one(chat, db):
    out = await chat.say("carol: /narrate pause until friday")
    assert "Paused until 2026-11-27 00:00 UTC" in out


async def test_a_day_that_passed_today_or_a_year_away_changes_nothing(chat, db):
    out = await chat.say("alice: /narrate pause until 2026-11-01")
    assert "2026-11-01 has already passed (today is 2026-11-23 in UTC)" in out
    assert "/narrate pause until 2026-12-07" in out  # an example that works
    out = await chat.say("alice: /narrate pause until 2026-11-23")
    assert "That's today" in out
    out = await chat.say("alice: /narrate pause until 2028-01-01")
    assert "more than a year away" in out
    out = await chat.say("alice: /narrate pause until 30 feb")
    assert "isn't a day of the calendar" in out
    assert (await _people(db)).get("alice") is None
    assert "Paused" not in out and "Noted" not in out


async def test_nonsense_after_until_is_explained_and_kept_only_if_asked(chat, db):
    out = await chat.say("alice: /narrate pause until tmorow")
    assert "Noted" not in out and "/narrate pause 2w (or 3d, 8h, until <date>)" in out
    assert "I didn't keep this:\n  > pause until tmorow" in out
    assert (await _people(db)) == {}
    # A sentence is work, kept with the hint as before.
    out = await chat.say("alice: /narrate pause until the fix lands, then roll out")
    assert "Noted as #1." in out and "until <date>" in out


async def test_help_names_pause_until(chat):
    assert "/narrate pause <2w|3d|8h> or until <date>" in await chat.say(
        "alice: /narrate help pause"
    )


async def test_a_day_and_month_that_just_passed_is_not_read_as_next_years(chat, db, clock):
    # Today is 23 Nov 2026: "until nov 22" paused until 22 Nov 2027 (364 days, under the year).
    out = await chat.say("alice: /narrate pause until nov 22")
    assert "22 Nov has passed; did you mean 2027-11-22? Say it with the year." in out
    assert "Paused" not in out and "Noted" not in out
    assert (await _people(db)).get("alice") is None
    assert "Paused until 2027-11-22 00:00 UTC" in await chat.say(
        "alice: /narrate pause until nov 22 2027"
    )
    clock.advance(timedelta(days=28))  # Monday 21 Dec
    out = await chat.say("bob: /narrate pause until dec 20")
    assert "20 Dec has passed; did you mean 2027-12-20?" in out
    assert (await _people(db)).get("bob") is None
    # A day and month a few weeks on is next year's as before.
    assert "Paused until 2027-01-05 00:00 UTC" in await chat.say("bob: /narrate pause until 5 jan")
