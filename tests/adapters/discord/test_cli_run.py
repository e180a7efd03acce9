"""``narrate-bot run`` with Discord configured, against the fake on its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import discord
import pytest
import yarl
from typer.testing import CliRunner

from narrate_bot_adapters.cli import app

from .fake import FakeDiscord


@pytest.fixture
def threaded_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(FakeDiscord().start(), loop).result(10)
    # `run` points discord.py at the configured URLs; restore the real ones afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        yarl.URL(str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)),
    )
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_run_reports_a_rejected_intent_as_one_actionable_error(
    threaded_fake, monkeypatch, tmp_path
):
    threaded_fake.close_code = 4014
    monkeypatch.setenv("NARRATE_DISCORD__TOKEN", "fake-token-not-real")
    monkeypatch.setenv("NARRATE_DISCORD__MESSAGE_CONTENT", "true")
    monkeypatch.setenv("NARRATE_DISCORD__API_BASE_URL", threaded_fake.api_base)
    monkeypatch.setenv("NARRATE_DISCORD__GATEWAY_URL", threaded_fake.ws_url)
    monkeypatch.setenv("NARRATE_DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2, result.output
    assert "Message Content Intent" in result.output
    assert "Traceback" not in result.output and "fake-token-not-real" not in result.output
    assert any(c.path == "/applications/1000/commands" for c in threaded_fake.calls)
