"""Who knows about X, ranked the way a colleague would: recent specialists first, exact areas over
loose words, common words still answered, and nobody named on evidence the asker can't read.
Every scenario runs on SQLite and PostgreSQL and pins the same order on both."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from narrate_bot.storage import search


def people(out: str) -> list[str]:
    """The people named in an answer, in order."""
    return re.findall(r"^\s*\d+\. <?@(\w+)", out, flags=re.MULTILINE)


async def test_a_recent_specialist_beats_an_old_generalist(chat, clock):
    for i in range(6):
        await chat.say(f"olga: /narrate kafka topic cleanup round {i}, plus billing and docs")
    clock.advance(timedelta(days=700))
    await chat.say("sam: /narrate kafka consumer groups rebalanced after the upgrade")
    clock.advance(timedelta(days=2))
    await chat.say("sam: /narrate kafka consumer lag alerts tuned")
    clock.advance(timedelta(days=1))
    out = await chat.say("zoe: /narrate who kafka consumer")
    assert people(out) == ["sam", "olga"]


async def test_an_exact_area_beats_its_words_scattered(chat, clock):
    await chat.say(
        "pia: /narrate payments/api: retry idempotent charges",
        "wes: /narrate the payments dashboard now shows api latency",
        "wes: /narrate payments export and a new api client",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say("zoe: @narrate who knows about payments/api retries?")
    assert people(out)[0] == "pia"


async def test_narrating_the_topic_these_weeks_settles_a_close_call(chat, clock):
    for i in range(4):
        await chat.say(f"ann: /narrate terraform state locking, round {i}")
    clock.advance(timedelta(days=200))
    await chat.say("ben: /narrate terraform state locking, round 1")
    await chat.say("ben: /narrate terraform state locking, round 2")
    clock.advance(timedelta(days=1))
    out = await chat.say("zoe: /narrate who terraform locking")
    assert people(out) == ["ben", "ann"]


async def test_being_busy_with_other_things_lifts_nobody(chat, clock):
    await chat.say("ben: /narrate terraform state locking")
    clock.advance(timedelta(hours=1))
    await chat.say("ann: /narrate terraform state locking")
    for i in range(10):
        clock.advance(timedelta(hours=6))
        await chat.say(f"ben: /narrate on-call handover {i}")
    out = await chat.say("zoe: /narrate who terraform locking")
    assert people(out) == ["ann", "ben"]


async def test_busy_people_are_never_named_without_readable_evidence(chat, clock):
    await chat.say(":channel #secret private carol,alice")
    await chat.say("carol in #secret: /narrate kafka schema registry migration")
    for i in range(10):
        await chat.say(f"carol: /narrate sprint notes {i}")  # very active, publicly
    await chat.say("bob: /narrate kafka connect sink for the warehouse")
    clock.advance(timedelta(days=1))
    assert people(await chat.say("zoe: /narrate who kafka")) == ["bob"]
    assert set(people(await chat.say("alice: /narrate who kafka"))) == {"bob", "carol"}


async def test_a_word_in_every_narration_still_answers(chat, clock, monkeypatch):
    # A tiny window makes "deploy" overflow it, as a very common word does at a million rows.
    monkeypatch.setattr(search, "TERM_WINDOW", 6)
    for day in range(12):
        await chat.say(f"p{day % 6}: /narrate deploy pipeline step {day}")
        clock.advance(timedelta(days=1))
    await chat.say("rae: /narrate deploy freeze for the canary rollout")
    clock.advance(timedelta(hours=2))
    out = await chat.say("zoe: /narrate who deploy canary")
    assert people(out)[0] == "rae"
    assert len(people(out)) == 5  # the window still fills the answer
    out = await chat.say("zoe: /narrate who deploy")
    # An undiscriminating word is answered from its most recent narrations: p0 last said it
    # six days before the others' latest, outside the window.
    assert len(people(out)) == 5 and "p0" not in people(out)


@pytest.mark.parametrize("command", ["/narrate pause 2w", "/narrate leave"])
async def test_paused_and_departed_people_are_never_suggested(chat, clock, command):
    await chat.say(
        "kim: /narrate kafka broker upgrade",
        "kim: /narrate kafka broker rollback drill",
        "lee: /narrate kafka topic audit",
    )
    clock.advance(timedelta(days=1))
    assert people(await chat.say("zoe: /narrate who kafka"))[0] == "kim"
    await chat.say(f"kim: {command}")
    assert people(await chat.say("zoe: /narrate who kafka")) == ["lee"]


async def test_nobody_is_named_on_words_the_question_never_used(chat, clock):
    await chat.say(
        "alice: /narrate kafka consumer lag alerts tuned",
        "alice: /narrate kafka consumer rebalancing",
        "alice: /narrate kafka consumer groups cleanup",
        "bob: /narrate design doc: moving the reindexing pipeline onto kafka",
        "carol: /narrate consumer onboarding survey",
        "carol: /narrate consumer pricing",
        "carol: /narrate consumer app",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say("zoe: /narrate who kafka")
    # "consumer" is borrowed from alice's matches; carol never mentioned kafka.
    assert people(out) == ["alice", "bob"]
    assert "consumer pricing" not in out


async def test_the_topics_other_words_reorder_the_people_who_qualify(chat, clock):
    await chat.say(
        "ann: /narrate flaky login test quarantined, selenium timeout",
        "ann: /narrate login test flaky again after the selenium driver update",
        "bob: /narrate selenium grid upgrade and browser pool sizing",
        "dan: /narrate login test on the selenium grid",
        "cid: /narrate login test for checkout copy",
    )
    clock.advance(timedelta(hours=1))
    out = await chat.say("zoe: /narrate who flaky login test")
    # dan also uses "selenium", which ann's matches share, so he passes cid (newer, shorter);
    # bob only ever says "selenium", so he is not named.
    assert people(out) == ["ann", "dan", "cid"]


async def test_the_regular_of_an_area_is_named_after_a_quiet_month(chat, clock):
    for i in range(12):
        topic = "rounding of fees" if i == 6 else f"reconcile batch {i}"
        await chat.say(f"ivy: /narrate billing/ledger: {topic}")
        clock.advance(timedelta(days=10))
    for name in ("ada", "bo", "cy", "di", "ed", "fay", "gus", "hal"):
        await chat.say(f"{name}: /narrate billing/ledger: nightly job rerun")
    clock.advance(timedelta(days=30))
    await chat.say(
        "max: /narrate billing/ledger: rounding in the refunds export",
        "max: /narrate rounding for invoices",
    )
    clock.advance(timedelta(days=2))
    out = await chat.say("zoe: /narrate who billing/ledger: rounding off by a cent")
    # max touched the ledger once this week; ivy has kept narrating it for four months.
    assert people(out)[:2] == ["ivy", "max"]
    assert "ivy: narrated about billing/ledger 12 times and rounding 1 time" in out
    # Asked without naming the area, the same word finds the recent specialist first.
    assert people(await chat.say("zoe: /narrate who rounding"))[0] == "max"
