"""A personal reminder for someone who never set a time zone uses the workspace's zone.

Driven through the console (the real Bot, the controllable clock). The clock starts Monday
2026-11-23 09:00 Berlin; in November Berlin is UTC+1 and New York UTC-5, so Friday 16:00 is
15:00 UTC in Berlin and 21:00 UTC in New York.
"""

from __future__ import annotations

from tests.helpers import Chat

REMINDER = "[dm bob] Your reminder to narrate"


async def at(chat: Chat, when: str) -> str:
    """Move the clock to ``when``, running each job due on the way at its own time."""
    return await chat.say(f":clock {when}")


async def berlin_workspace(chat: Chat) -> None:
    await chat.say(":admin alice", "alice: /narrate workspace-timezone Europe/Berlin")


async def test_without_a_zone_of_their_own_the_workspace_s_zone_is_used_and_named(
    chat: Chat,
) -> None:
    await berlin_workspace(chat)
    out = await chat.say("bob: /narrate remind me fri 16:00")
    assert "I don't know your time zone yet" not in out
    assert "in the workspace's time zone (Europe/Berlin)" in out
    assert "Next: Fri 2026-11-27 16:00 CET" in out
    assert "/narrate timezone <Area/City>" in out  # how to have it in their own zone

    assert "I remind you fri at 16:00 (Europe/Berlin)" in await chat.say("bob: /narrate remind")
    assert REMINDER not in await at(chat, "2026-11-27T14:59:00+00:00")
    assert REMINDER in await at(chat, "2026-11-27T15:00:00+00:00")  # 16:00 Berlin
    assert REMINDER not in await at(chat, "2026-12-04T14:59:00+00:00")
    assert REMINDER in await at(chat, "2026-12-04T15:00:00+00:00")  # and the Friday after


async def test_setting_their_own_zone_later_moves_that_reminder_to_it(chat: Chat) -> None:
    await berlin_workspace(chat)
    await chat.say("bob: /narrate remind me fri 16:00")

    out = await chat.say("bob: /narrate timezone America/New_York")
    assert "Your time zone is now America/New_York." in out
    assert "Your reminder moved with you: fri at 16:00 (America/New_York)" in out
    assert "next Fri 2026-11-27 16:00 EST" in out

    assert REMINDER not in await at(chat, "2026-11-27T20:59:00+00:00")  # not 16:00 Berlin
    assert REMINDER in await at(chat, "2026-11-27T21:00:00+00:00")  # 16:00 New York
    out = await chat.say("bob: /narrate remind")
    assert "I remind you fri at 16:00 (America/New_York)" in out


async def test_a_zone_the_platform_reports_later_moves_it_too(chat: Chat) -> None:
    await berlin_workspace(chat)
    await chat.say("bob: /narrate remind me fri 16:00")
    await chat.say(":tz bob America/New_York")

    assert REMINDER not in await at(chat, "2026-11-27T20:59:00+00:00")
    assert REMINDER in await at(chat, "2026-11-27T21:00:00+00:00")


async def test_their_own_zone_still_wins_over_the_workspace_s(chat: Chat) -> None:
    await berlin_workspace(chat)
    await chat.say(":tz bob America/New_York")
    out = await chat.say("bob: /narrate remind me fri 16:00")
    assert "in your time zone (America/New_York)" in out
    assert "workspace" not in out
    assert REMINDER in await at(chat, "2026-11-27T21:00:00+00:00")


async def test_with_no_zone_anywhere_it_still_asks_for_one_and_sets_nothing(chat: Chat) -> None:
    out = await chat.say("bob: /narrate remind me fri 16:00")
    assert "I don't know your time zone yet" in out
    assert "/narrate timezone" in out
    assert "You have no reminder" in await chat.say("bob: /narrate remind")
    assert REMINDER not in await at(chat, "2026-11-28T00:00:00+00:00")


async def test_moving_the_workspace_moves_the_reminders_of_people_without_a_zone(
    chat: Chat,
) -> None:
    await berlin_workspace(chat)
    await chat.say("bob: /narrate remind me fri 16:00")
    await chat.say(":tz carol Europe/Berlin", "carol: /narrate remind me fri 16:00")

    out = await chat.say("alice: /narrate workspace-timezone America/New_York")
    assert "Personal reminders of 1 person without a time zone of their own moved" in out

    # bob's 16:00 is New York's now; carol set Berlin herself and keeps it.
    assert "I remind you fri at 16:00 (America/New_York)" in await chat.say("bob: /narrate remind")
    out = await at(chat, "2026-11-27T15:00:00+00:00")  # 16:00 Berlin
    assert "[dm carol] Your reminder to narrate" in out and REMINDER not in out
    assert REMINDER not in await at(chat, "2026-11-27T20:59:00+00:00")
    assert REMINDER in await at(chat, "2026-11-27T21:00:00+00:00")  # 16:00 New York


async def test_moving_a_workspace_without_zoneless_reminders_says_nothing_about_them(
    chat: Chat,
) -> None:
    await berlin_workspace(chat)
    await chat.say(":tz carol Europe/Berlin", "carol: /narrate remind me fri 16:00")
    out = await chat.say("alice: /narrate workspace-timezone America/New_York")
    assert "This workspace's time zone is now America/New_York" in out
    assert "Personal reminders" not in out
