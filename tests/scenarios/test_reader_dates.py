"""Every date a reply shows is on the reader's calendar: their own time zone, else the
workspace's, else UTC. bob narrates Monday 08:00 in Tokyo (Sunday 23:00 UTC)."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.features.home import summary
from narrate_bot_adapters.console.adapter import TENANT

MONDAY_8_TOKYO = "2026-11-23T08:00:00+09:00"


async def _bob_narrates_monday_morning_in_tokyo(chat) -> None:
    await chat.say(
        ":tz bob Asia/Tokyo",
        ":tz zoe Asia/Tokyo",
        f":clock {MONDAY_8_TOKYO}",
        "bob@search: /narrate kafka mirror maker setup",
        ":advance 47h",
    )


async def test_mine_and_profiles_show_the_readers_date(chat):
    await _bob_narrates_monday_morning_in_tokyo(chat)
    assert "#1  2026-11-23  #general  kafka mirror maker setup" in await chat.say(
        "bob: /narrate mine"
    )
    assert "(2026-11-23, #general)" in await chat.say("zoe: /narrate profile @bob")
    assert "(2026-11-23, #general)" in await chat.say("bob: /narrate profile")
    # carol has no zone of her own and the workspace none: UTC, where it was still Sunday.
    assert "(2026-11-22, #general)" in await chat.say("carol: /narrate profile @bob")


async def test_without_a_zone_of_their_own_readers_get_the_workspaces(chat):
    await _bob_narrates_monday_morning_in_tokyo(chat)
    await chat.say("alice: /narrate workspace-timezone Asia/Tokyo")
    assert "(2026-11-23, #general)" in await chat.say("carol: /narrate profile @bob")
    await chat.say(":tz carol America/Los_Angeles")  # her own zone wins: Sunday 15:00 there
    assert "(2026-11-22, #general)" in await chat.say("carol: /narrate profile @bob")


async def test_my_introductions_are_dated_on_my_calendar(bot, chat, clock):
    await chat.say(
        ":tz alice Asia/Tokyo",
        f":clock {MONDAY_8_TOKYO}",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka streams",
    )
    for post in await bot.introductions.weekly(tenant=TENANT, now=clock.now()):
        await chat.adapter.post(TENANT, post)
    assert "#1 (2026-11-23): @carol (search)" in await chat.say("alice: /narrate intros")
    assert "#1 (2026-11-22): @alice (payments)" in await chat.say("carol: /narrate intros")


async def test_the_home_page_gives_times_on_the_persons_clock(bot, chat, clock):
    await _bob_narrates_monday_morning_in_tokyo(chat)
    await chat.say("bob: /narrate pause 1d")  # until Thursday 07:00 Tokyo, Wednesday in UTC
    clock.advance(timedelta(hours=1))
    page = await summary(bot.db, tenant=TENANT, user_id="bob", now=clock.now())
    assert [f"{n.created_at:%Y-%m-%d}" for n in page.recent] == ["2026-11-23"]
    assert page.paused_until is not None and f"{page.paused_until:%Y-%m-%d}" == "2026-11-26"


async def test_who_knows_dates_and_days_ago_are_on_the_askers_calendar(chat):
    await _bob_narrates_monday_morning_in_tokyo(chat)  # now Wednesday 07:00 in Tokyo
    out = await chat.say("zoe: /narrate who kafka")
    assert "last 2 days ago" in out and "(2026-11-23, #general)" in out
    out = await chat.say("carol: /narrate who kafka")  # UTC: Sunday 23:00 to Tuesday 22:00
    assert "last 2 days ago" in out and "(2026-11-22, #general)" in out
