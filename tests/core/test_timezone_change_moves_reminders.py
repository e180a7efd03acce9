"""A personal reminder keeps its wall-clock time when its person moves to another time zone.

Driven through the console (the real Bot, the controllable clock). The clock starts Monday
2026-11-23 09:00 Berlin; in November Berlin is UTC+1 and New York UTC-5, so Friday 16:00 is
15:00 UTC in Berlin and 21:00 UTC in New York.
"""

from __future__ import annotations

from tests.helpers import Chat

REMINDER = "[dm alice] Your reminder to narrate"


async def at(chat: Chat, when: str) -> str:
    """Move the clock to ``when``, running each job due on the way at its own time."""
    return await chat.say(f":clock {when}")


async def test_moving_west_the_reminder_comes_at_the_same_local_hour_that_friday(chat: Chat):
    await chat.say(":tz alice Europe/Berlin")
    out = await chat.say("alice: /narrate remind me fri 16:00")
    assert "Next: Fri 2026-11-27 16:00 CET" in out

    out = await chat.say("alice: /narrate timezone America/New_York")
    assert "Your time zone is now America/New_York." in out
    assert "Your reminder moved with you: fri at 16:00 (America/New_York)" in out
    assert "next Fri 2026-11-27 16:00 EST" in out

    # Not at 16:00 Berlin (15:00 UTC) any more...
    assert REMINDER not in await at(chat, "2026-11-27T20:59:00+00:00")
    # ...but at 16:00 New York, that same Friday, once.
    assert REMINDER in await at(chat, "2026-11-27T21:00:00+00:00")
    assert REMINDER not in await at(chat, "2026-12-03T23:00:00+00:00")
    assert "I remind you fri at 16:00 (America/New_York)" in await chat.say(
        "alice: /narrate remind"
    )


async def test_moving_east_the_reminder_is_not_skipped_that_friday(chat: Chat):
    await chat.say(":tz alice America/New_York")
    await chat.say("alice: /narrate remind me fri 16:00")

    out = await chat.say("alice: /narrate timezone Europe/Berlin")
    assert "Your reminder moved with you: fri at 16:00 (Europe/Berlin)" in out
    assert "next Fri 2026-11-27 16:00 CET" in out

    assert REMINDER not in await at(chat, "2026-11-27T14:59:00+00:00")
    assert REMINDER in await at(chat, "2026-11-27T15:00:00+00:00")  # 16:00 Berlin
    assert REMINDER not in await at(chat, "2026-12-04T14:59:00+00:00")
    assert REMINDER in await at(chat, "2026-12-04T15:00:00+00:00")  # and the Friday after


async def test_a_zone_the_platform_reports_moves_the_reminder_too(chat: Chat):
    """Slack and Discord tell us a new zone without any command: the DM still follows it."""
    await chat.say(":tz alice America/New_York")
    await chat.say("alice: /narrate remind me fri 16:00")
    await chat.say(":tz alice Europe/Berlin")

    assert REMINDER in await at(chat, "2026-11-27T15:00:00+00:00")  # 16:00 Berlin


async def test_moving_after_today_s_reminder_never_sends_it_twice_that_day(chat: Chat):
    await chat.say(":tz alice Europe/Berlin")
    await chat.say("alice: /narrate remind me daily 16:00")
    assert REMINDER in await at(chat, "2026-11-23T15:00:00+00:00")  # Monday 16:00 Berlin

    # Monday 11:00 in New York: its 16:00 is still ahead, but Monday's reminder already came.
    out = await chat.say("alice: /narrate timezone America/New_York")
    assert "next Tue 2026-11-24 16:00 EST" in out
    assert REMINDER not in await at(chat, "2026-11-24T20:59:00+00:00")
    assert REMINDER in await at(chat, "2026-11-24T21:00:00+00:00")  # Tuesday 16:00 New York


async def test_no_reminder_or_the_same_clock_the_reply_says_nothing_about_reminders(chat: Chat):
    # No reminder yet: setting a zone says nothing about reminders.
    out = await chat.say("alice: /narrate timezone Europe/Berlin")
    assert "Your time zone is now Europe/Berlin." in out and "reminder" not in out

    await chat.say("alice: /narrate remind me fri 16:00")
    out = await chat.say("alice: /narrate timezone europe/berlin")
    assert "Your time zone is now Europe/Berlin." in out and "reminder" not in out
    out = await chat.say("alice: /narrate timezone Europe/Paris")  # the same clock
    assert "Your time zone is now Europe/Paris." in out and "reminder" not in out
    assert REMINDER in await at(chat, "2026-11-27T15:00:00+00:00")
