"""``/narrate mine <words>`` searches all of one's own narrations (DMs and "Only me" ones too),
``mine since <date>`` and ``mine <date>..<date>`` by the day written on one's own calendar. It
used to be kept as a narration ("mine kafka", topics: mine, kafka) that anyone in the channel
could find through who knows."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from narrate_bot.storage.tables import Narration


async def _written(chat, clock) -> None:
    # clock starts 2026-11-23 08:00 UTC
    await chat.say("alice in #general: /narrate tuned kafka consumer lag alerts")
    clock.advance(timedelta(days=2))  # 2026-11-25
    await chat.say("alice in dm: kafka partitions rebalanced, private note")
    await chat.say("alice in #general: /narrate postgres vacuum tuning on the ledger db")
    clock.advance(timedelta(days=3))  # 2026-11-28
    await chat.say("alice in #general: /narrate vacuumed the audit tables too")
    await chat.say("bob in #general: /narrate kafka connect upgrade")


async def test_mine_with_words_finds_all_of_mine_and_keeps_nothing(chat, clock, db):
    await _written(chat, clock)
    out = await chat.say("alice in #general: /narrate mine kafka")
    assert "Noted" not in out and "Your narrations matching “kafka”:" in out
    assert "#2  2026-11-25  a DM  kafka partitions rebalanced" in out
    assert "#1  2026-11-23  #general  tuned kafka consumer lag alerts" in out
    assert "postgres" not in out and "connect upgrade" not in out  # not mine
    # Stemmed as who-knows does: "vacuum" finds "vacuumed"; every word must be there.
    out = await chat.say("alice: /narrate mine vacuum")
    assert "vacuumed the audit tables" in out and "postgres vacuum tuning" in out
    out = await chat.say("alice: /narrate mine vacuum ledger")
    assert "postgres vacuum tuning" in out and "audit" not in out
    async with db.transaction() as s:
        assert len((await s.exec(select(Narration))).all()) == 5
    assert "@alice" not in await chat.say("carol in #general: /narrate who knows about mine")


async def test_mine_by_dates(chat, clock):
    await _written(chat, clock)
    out = await chat.say("alice: /narrate mine since 2026-11-25")
    assert "Your narrations since 2026-11-25:" in out
    assert "audit" in out and "postgres" in out and "partitions" in out and "lag" not in out
    out = await chat.say("alice: /narrate mine 2026-11-23..2026-11-25")
    assert "from 2026-11-23 to 2026-11-25:" in out
    assert "lag" in out and "partitions" in out and "audit" not in out
    out = await chat.say("alice: /narrate mine kafka since 2026-11-24")
    assert "matching “kafka” since 2026-11-24:" in out
    assert "partitions" in out and "lag" not in out
    out = await chat.say("alice: /narrate mine 2026-11-28")
    assert "on 2026-11-28:" in out and "audit" in out and "postgres" not in out


async def test_mine_says_when_nothing_matches_or_it_cant_read_the_request(chat, clock):
    assert "You haven't narrated anything yet" in await chat.say("alice: /narrate mine kafka")
    await _written(chat, clock)
    out = await chat.say("alice: /narrate mine terraform")
    assert "None of your narrations matching “terraform”." in out
    out = await chat.say("alice: /narrate mine since 2026-12-01")
    assert "None of your narrations since 2026-12-01." in out
    out = await chat.say("alice: /narrate mine since someday")
    assert "I couldn't read 'someday' as a date." in out
    out = await chat.say("alice: /narrate mine 2026-11-25..2026-11-20")
    assert "ends before it starts" in out
    out = await chat.say("alice: /narrate mine and the")
    assert "has no words I can search for" in out
    assert "Noted" not in out


async def test_many_matches_say_how_many(chat, clock):
    for n in range(12):
        await chat.say(f"alice: /narrate kafka fix number {n}")
        clock.advance(timedelta(minutes=1))
    out = await chat.say("alice: /narrate mine kafka")
    assert "12 of your narrations matching “kafka”; the newest 10:" in out
    assert "#12 " in out and "#3 " in out and "#2 " not in out


async def test_days_far_from_today_are_explained_not_a_crash(chat):
    # 9999-12-31 + 1 day and 0001-01-01 east of UTC used to raise OverflowError.
    await chat.say("alice: /narrate timezone Europe/Berlin")
    await chat.say("alice in #general: /narrate vacuum tuned on the ledger db")
    for asked in ("mine 9999-12-31", "mine since 0001-01-01", "mine 1900-01-01..2026-11-23"):
        out = await chat.say(f"alice: /narrate {asked}")
        assert "I search days from 1970-01-01 to 2027-11-23" in out, asked
        assert "Use YYYY-MM-DD" in out
    assert "vacuum tuned" in await chat.say("alice: /narrate mine since 1970-01-01")
