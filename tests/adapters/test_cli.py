"""The narrate-bot command as a person runs it (through Typer's runner, stdin piped)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.cli import app
from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.slack.conftest import until
from tests.adapters.slack.fake_slack import FakeSlack

runner = CliRunner()


@pytest.fixture(autouse=True)
def _log_levels_as_they_were() -> Iterator[None]:
    """Each command sets the log levels in this process (``run``: INFO); later tests don't
    expect that."""
    loggers = [logging.getLogger(), logging.getLogger("apscheduler")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_console_is_scriptable_and_state_persists_between_runs(tmp_path):
    db = tmp_path / "bot.db"
    first = runner.invoke(
        app,
        ["console", "--db", str(db), "--now", "2026-11-23T09:00:00+01:00"],
        input="bob@infra in #infra: /narrate upgraded the kafka brokers\n",
    )
    assert first.exit_code == 0, first.output
    assert first.output.startswith("[only bob in #infra] Noted as #1.")
    second = runner.invoke(
        app,
        ["console", "--db", str(db), "--now", "2026-11-24T09:00:00+01:00"],
        input="alice: @narrate who knows about kafka?\n",
    )
    assert second.exit_code == 0, second.output
    assert "[#general thread] Who knows about “kafka”" in second.output
    assert "@bob: narrated about kafka" in second.output and "yesterday" in second.output
    assert "team infra" in second.output


def test_console_reports_bad_lines_and_keeps_going(tmp_path):
    result = runner.invoke(
        app,
        ["console", "--db", str(tmp_path / "b.db")],
        input=":tz alice Mars/Base\n:frobnicate\nno speaker here\nalice: /narrate still here\n",
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("[console] 'Mars/Base' isn't a time zone I know")
    assert lines[1] == "[console] I don't know :frobnicate. Try :help."
    assert lines[2].startswith("[console] Start a line with who speaks")
    assert lines[3].startswith("[only alice in #general] Noted as #1.")


def test_console_refuses_a_bad_clock_with_a_message(tmp_path):
    result = runner.invoke(app, ["console", "--db", str(tmp_path / "c.db"), "--now", "tuesday"])
    assert result.exit_code == 2
    assert "isn't a time I can read" in result.output


def test_demo_has_an_organisation_to_ask_about():
    result = runner.invoke(app, ["demo"], input="you: @narrate who knows about kafka?\n")
    assert result.exit_code == 0, result.output
    assert "@bob: narrated about kafka" in result.output and "team infra" in result.output
    assert "carol" not in result.output  # her #launch-secret narration stays private
    assert "preparing my talk" not in result.output  # bob's DM narration too


def test_migrate_creates_the_schema(tmp_path):
    db = tmp_path / "m.db"
    result = runner.invoke(app, ["migrate", "--db", str(db)])
    assert result.exit_code == 0 and "up to date" in result.output
    assert db.exists()


def test_run_without_any_platform_points_to_the_console():
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "No platform is configured" in result.output and "narrate-bot console" in result.output


def test_run_with_incomplete_slack_settings_says_what_is_missing(monkeypatch):
    monkeypatch.setenv("NARRATE_SLACK__BOT_TOKEN", "xoxb-test-not-real")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "Slack is not set up completely" in result.output
    assert "NARRATE_SLACK__SIGNING_SECRET" in result.output
    assert "xoxb" not in result.output


def _socket_dm(text: str) -> dict[str, Any]:
    return {
        "envelope_id": "env-term",
        "type": "events_api",
        "accepts_response_payload": False,
        "payload": {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": "Ev-term",
            "event_time": 1763800000,
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": "U1",
                "text": text,
                "ts": "1763800000.000100",
                "channel": "D1",
            },
        },
    }


async def _stored_texts(url: str) -> list[str]:
    db = Database(url)
    try:
        async with db.transaction() as session:
            return [n.text for n in (await session.exec(select(Narration))).all()]
    finally:
        await db.dispose()


async def test_sigterm_finishes_the_work_in_hand_and_exits_cleanly(tmp_path):
    """``docker stop`` and rolling deploys send SIGTERM: the real ``narrate-bot run`` (Slack in
    Socket Mode and Discord, against the fakes) closes both connections, finishes the narration
    it was handling, and exits 0 within its shutdown budget, so nothing is cut short."""
    slack = await FakeSlack(envelopes=[_socket_dm("narrated just before the deploy")]).start()
    slack.delays["users.info"] = 1.0  # the narration is still being handled at SIGTERM
    discord = await FakeDiscord().start()
    url = f"sqlite:///{tmp_path / 'run.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NARRATE_", "SLACK_"))}
    env |= {
        "NARRATE_DATABASE_URL": url,
        "NARRATE_SLACK__BOT_TOKEN": "xoxb-test-0000",
        "NARRATE_SLACK__APP_TOKEN": "xapp-1-test",
        "NARRATE_SLACK__API_URL": slack.base_url,
        "NARRATE_DISCORD__TOKEN": "fake-token",
        "NARRATE_DISCORD__API_BASE_URL": discord.api_base,
        "NARRATE_DISCORD__GATEWAY_URL": discord.ws_url,
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "narrate_bot_adapters.cli", "run",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await until(lambda: slack.acks and discord.identify, timeout=30)
        await until(lambda: any(c.method == "users.info" for c in slack.calls))
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), 30)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await slack.stop()
        await discord.stop()
    log = stderr.decode()
    assert bot.returncode == 0, log
    assert "Traceback" not in log and "were cancelled" not in log, log
    assert await _stored_texts(url) == ["narrated just before the deploy"]
    [noted] = [c for c in slack.calls if c.method == "chat.postMessage"]
    assert "Noted as #1" in str(noted.params)
