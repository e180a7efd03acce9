"""A console line that only reads is answered while another connection writes.

The console looked at the database before every line (who is speaking, the channel, whether
they read it) in a transaction it rolled back, which on SQLite began with ``BEGIN IMMEDIATE``:
"who knows about kafka?" typed at the prompt waited behind any writer (a forget-me's scrub, an
import, the weekly job, another session on the same file) and past the busy timeout ended the
console with "database is locked", though the bot itself answers such a question from a
snapshot. It now looks in a snapshot too. A change of a private channel's readers is still
written first, and the next answer follows it. So is a new team ("alice@payments: …"); the
team she already has is not written again.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot_adapters.console import ConsoleAdapter
from narrate_bot_adapters.console.adapter import TENANT
from tests.held_lock import another_writer, short_busy_timeout
from tests.helpers import Chat

READING = (
    "who knows about kafka?",  # typed at the prompt, as zoe
    "zoe: /narrate who kafka",
    "carol in dm: who knows about kafka?",
    "carol in #secret: /narrate who kafka",
    "alice@billing: /narrate topics",  # her team as stored: nothing to write
    "alice: /narrate mine",
    "alice: /narrate stats",
)


async def _typed(bot: Bot, clock: ManualClock, tmp_path: Path, lines: tuple[str, ...]) -> str:
    """What a new console session on the database prints for ``lines`` (a fresh session looks
    everyone up again), or how the line failed."""
    out = io.StringIO()
    adapter = ConsoleAdapter(bot, clock, out, export_dir=tmp_path / "exports", default_user="zoe")
    for line in lines:
        try:
            await asyncio.wait_for(adapter.feed(line), timeout=10)
        except Exception as error:
            out.write(f"{line!r} failed: {error!r}"[:160] + "\n")
    return out.getvalue()


async def test_reading_lines_are_answered_while_another_connection_writes(
    db: Database,
    bot: Bot,
    chat: Chat,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await chat.say(
        ":channel #secret private bob,carol",
        "alice@billing: /narrate kafka consumer lag fixed in billing",
        "bob in #secret: /narrate kafka migration plan for the ledger",
        "carol in dm: who knows about kafka?",
        "carol in #secret: /narrate who kafka",
    )
    await short_busy_timeout(db, monkeypatch)
    quiet = await _typed(bot, clock, tmp_path, READING)
    with another_writer(db):
        # No time bound (a loaded machine may take seconds): a line that waited for the writer
        # would give up after the short busy timeout, and answer differently.
        held = await _typed(bot, clock, tmp_path, READING)
    assert held == quiet, held
    assert "failed" not in held, held
    # The real answers: alice's narration for everyone, bob's in #secret for its readers only.
    zoe_at_prompt, helped, zoe, carol_dm, carol_there, topics, mine, stats = held.split("\n[")
    # The answer's "This helped" button, the asker's alone: kept with the answer when the lines
    # were first typed, so it is there while another connection writes too.
    assert helped.startswith("only zoe in #general] Did this answer help?"), helped
    assert "(button) This helped: /narrate helped wk" in helped, helped
    for answer in (zoe_at_prompt, zoe):
        assert "1. @alice" in answer and "ledger" not in answer, answer
    for answer in (carol_dm, carol_there):
        assert "1. @alice" in answer and "2. @bob" in answer, answer
        assert "kafka migration plan for the ledger" in answer, answer
    assert "3. kafka: 1 narration · @alice (1)" in topics, topics
    assert "kafka consumer lag fixed in billing" in mine, mine
    assert "No introductions yet" in stats, stats

    # Carol is no longer among #secret's readers: written first, then read as it is now.
    await chat.say(":channel #secret private bob")
    with another_writer(db):
        after = await _typed(
            bot,
            clock,
            tmp_path,
            ("carol in dm: who knows about kafka?", "carol in #secret: /narrate who kafka"),
        )
    assert "failed" not in after and "1. @alice" in after, after
    assert "ledger" not in after and "#secret, private" not in after, after
    assert "carol isn't in #secret (a private channel), so nothing was sent" in after, after

    # A new team is written with the line that names it.
    await chat.say("alice@payments: /narrate mine")
    assert await _team(db, "alice") == "payments"


async def _team(db: Database, user_id: str) -> str | None:
    async with db.snapshot() as session:
        tenant = await repo.find_tenant(
            session, platform=TENANT.platform.value, external_id=TENANT.tenant_id
        )
        assert tenant is not None and tenant.id is not None
        person = await repo.find_person(session, tenant_id=tenant.id, user_id=user_id)
        return person.team if person is not None else None
