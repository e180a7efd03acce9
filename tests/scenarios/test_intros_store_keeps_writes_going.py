"""Storing a week's introductions holds SQLite's write lock only for what must be checked in it.

The round is stored in one write transaction (so a crash, or another replica, never sees half of
it), which also re-read everyone's narrations to tell whose topics changed while the week was
worked out, and drew their reasons again: 0.4 s of its 0.7 s at 2,000 people, every command's
write waiting, and past the busy timeout refused ("database is locked"). That re-check now runs
in a snapshot just before; the write transaction only checks again who may still meet whom.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from narrate_bot.storage import intro_repo
from narrate_bot_adapters.console.adapter import TENANT
from tests.held_lock import short_busy_timeout


async def test_a_narration_while_the_round_is_checked_is_saved(bot, chat, clock, monkeypatch):
    if bot.db.dialect != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock for a narration to wait on")
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
    )
    await short_busy_timeout(bot.db, monkeypatch)
    said: list[str] = []
    fingerprints = intro_repo.narration_fingerprints

    async def meanwhile(*args, **kwargs):  # each read of everyone's narrations
        found = await fingerprints(*args, **kwargs)
        said.append(f"bob: /narrate deploy checklist step {len(said) + 1}")
        await chat.say(said[-1])
        return found

    monkeypatch.setattr(intro_repo, "narration_fingerprints", meanwhile)
    clock.advance(timedelta(days=1))
    posts = await asyncio.wait_for(
        bot.introductions.weekly(tenant=TENANT, now=clock.now()), timeout=60
    )
    assert [p for p in posts if p.to_users]  # the round was stored and its posts made
    assert len(said) >= 2  # read when the week was worked out, and when checked again
    mine = await chat.say("bob: /narrate mine")
    for line in said:
        assert line.removeprefix("bob: /narrate ") in mine, mine
