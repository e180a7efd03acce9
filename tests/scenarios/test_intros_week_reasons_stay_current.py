"""What changes while a week's introductions are worked out (in a worker thread, outside any
write transaction) reaches their reasons: a topic hidden, a narration deleted, a private channel
left meanwhile is not cited, as it wouldn't be had it happened before the week began."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from narrate_bot_adapters.console.adapter import TENANT
from tests.scenarios.test_intros_week_keeps_the_bot_answering import HeldPairing


async def _told_after(bot, chat, clock, monkeypatch, *meanwhile: str) -> list[str]:
    clock.advance(timedelta(days=1))
    held = HeldPairing(monkeypatch)
    week = asyncio.create_task(bot.introductions.weekly(tenant=TENANT, now=clock.now()))
    await held.wait_started()
    await chat.say(*meanwhile)
    held.released.set()
    posts = await week
    assert held.served_meanwhile is True
    told = [p.text for p in posts if p.to_users]
    assert told  # they are still introduced: only the reason changes
    return told


async def test_a_topic_hidden_meanwhile_is_not_cited(bot, chat, clock, monkeypatch):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
    )
    told = await _told_after(bot, chat, clock, monkeypatch, "alice: /narrate hide-me kafka")
    assert all("kafka" not in t.lower() for t in told)
    assert all("consumer" in t for t in told)  # what is still theirs to cite stays


async def test_a_narration_deleted_meanwhile_is_not_cited(bot, chat, clock, monkeypatch):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "alice: /narrate terraform modules",
        "carol: /narrate kafka consumer lag",
        "carol: /narrate terraform modules",
    )
    told = await _told_after(bot, chat, clock, monkeypatch, "alice: /narrate delete 1")
    # Its topics were the ones cited; the reason falls back to what is still true (teams).
    assert all("kafka" not in t.lower() and "lag" not in t for t in told)
    assert all("Why: " in t for t in told)


async def test_a_private_channel_left_meanwhile_is_not_cited(bot, chat, clock, monkeypatch):
    await chat.say(
        ":channel #secret private alice,carol",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice in #secret: /narrate zanzibar acquisition due diligence",
        "carol in #secret: /narrate zanzibar acquisition price model",
    )
    told = await _told_after(bot, chat, clock, monkeypatch, ":channel #secret private alice")
    assert all("zanzibar" not in t.lower() and "acquisition" not in t for t in told)
