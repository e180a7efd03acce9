"""``/narrate export`` holds every row kept about me, not just most of them.

It used to leave out the log of my personal reminders (which were sent, which skipped), my
team as each introduction recorded it, when I answered about an introduction, and when I made
each never-pair wish: all of it stored, and erased by forget-me, but never shown to me.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from narrate_bot_adapters.console.adapter import TENANT
from tests.helpers import Chat

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


async def _export(chat: Chat, person: str) -> dict[str, Any]:
    out = await chat.say(f"{person}: /narrate export")
    return json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())


async def test_my_export_has_my_team_and_the_dates_of_my_introductions_and_wishes(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate kafka consumer lag",
        "carol@search: /narrate kafka consumer lag too",
        "alice: /narrate intros join",
        "carol: /narrate intros join",
        "alice: /narrate never-pair <@zoe>",  # at 08:00 UTC
        ":advance 30m",
    )
    [post] = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    await chat.adapter.post(TENANT, post)
    await chat.say(
        ":advance 150m",
        "alice: /narrate intros met 1",  # at 11:00 UTC
        "alice@platform: /narrate team platform",  # a new team, after the introduction
    )

    data = await _export(chat, "alice")
    intros = data["introductions"]
    assert intros["never_pair"] == ["zoe"]  # as before, so earlier readers still read it
    assert intros["never_pair_since"] == {"zoe": "2026-11-23T08:00:00+00:00"}
    [introduction] = intros["introductions"]
    assert introduction["id"] == 1 and introduction["introduced_to"] == ["carol"]
    assert introduction["created_at"] == "2026-11-23T08:30:00+00:00"
    assert introduction["your_team"] == "payments"  # her team then, not the one she has now
    assert data["person"]["team"] == "platform"
    assert introduction["your_answer"] == "met"
    assert introduction["answered_at"] == "2026-11-23T11:00:00+00:00"

    carol = (await _export(chat, "carol"))["introductions"]
    assert carol["introductions"][0]["your_team"] == "search"
    assert carol["introductions"][0]["your_answer"] is None
    assert carol["introductions"][0]["answered_at"] is None  # she never answered
    assert carol["never_pair_since"] == {}


async def test_my_export_logs_each_reminder_sent_or_skipped_while_i_was_paused(chat):
    await chat.say(
        ":tz alice Europe/Berlin",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka streams",
        "alice: /narrate remind me mon,thu 10:00",
    )
    out = await chat.say(":advance 1h")  # Monday 10:00 in Berlin
    assert "[dm alice] Your reminder to narrate" in out
    await chat.say("alice: /narrate pause 4d")
    out = await chat.say(":advance 4d")  # Thursday 10:00 comes while she is paused
    assert "[dm alice]" not in out
    out = await chat.say(":advance 4d")  # Monday 10:00 again, the pause over
    assert "[dm alice] Your reminder to narrate" in out

    data = await _export(chat, "alice")
    assert data["reminder_deliveries"] == [
        {"date": "2026-11-23", "status": "sent", "sent_at": "2026-11-23T09:00:00+00:00"},
        {"date": "2026-11-26", "status": "skipped", "sent_at": None},
        {"date": "2026-11-30", "status": "sent", "sent_at": "2026-11-30T09:00:00+00:00"},
    ]
    assert "message" not in json.dumps(data["reminder_deliveries"])  # no platform message ids
    assert (await _export(chat, "carol"))["reminder_deliveries"] == []  # never anyone else's
