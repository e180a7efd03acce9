"""The console has no retry, but a failure after the narration was kept (blocker help here,
as when its search hits a lock timeout) raised out of the core and ended the session with the
narration stored and nothing said. The core answers with what it kept instead
(``Turn.committed_as``), so the console says "Noted" and goes on."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from narrate_bot.features import blocker_help
from narrate_bot.storage.tables import Narration


async def test_a_failure_after_the_narration_was_kept_says_noted_and_goes_on(
    chat, bot, monkeypatch
):
    async def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionError("database restarting")

    monkeypatch.setattr(blocker_help, "with_help", failing)
    out = await chat.say("alice: /narrate stuck on the ledger importer")
    assert "Noted as #1." in out, out
    assert "Noted as #2." in await chat.say("alice: /narrate shipped the ledger importer")
    async with bot.db.snapshot() as s:
        stored = [n.text for n in (await s.exec(select(Narration))).all()]
    assert sorted(stored) == ["shipped the ledger importer", "stuck on the ledger importer"]
