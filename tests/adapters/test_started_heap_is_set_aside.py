"""Once started, the app sets what it made at startup aside from garbage collection
(``adapters/heap.py``): each full collection walked all of it again, and during a large week of
introductions those collections were the event loop's longest stalls
(``benchmarks/intros_week.py`` reports them; this only checks that the entry points do it)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from typer.testing import CliRunner

from narrate_bot.config import Settings
from narrate_bot_adapters.cli import app
from narrate_bot_adapters.serve import serve


def test_a_console_session_sets_aside_what_it_started_with(tmp_path: Path) -> None:
    gc.unfreeze()
    result = CliRunner().invoke(
        app,
        ["console", "--db", str(tmp_path / "bot.db"), "--now", "2026-11-23T09:00:00+01:00"],
        input="alice: /narrate shipped the importer\n",
    )
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > 0


async def test_serving_sets_aside_what_it_started_with(tmp_path: Path) -> None:
    gc.unfreeze()
    stop = asyncio.Event()
    stop.set()  # started, then stopped at once: no platform needed for the heap to settle
    await serve(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"), stop=stop)
    assert gc.get_freeze_count() > 0
