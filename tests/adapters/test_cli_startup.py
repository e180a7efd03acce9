"""What an operator sees when ``narrate-bot run`` can't start: one line that says which database
or host and what to check, a non-zero exit, and never a traceback or a password."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.entry_point import closed_port, narrate_bot, the_message

PASSWORD = "s3cret-pw"


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_an_unreachable_postgresql_is_one_line_with_the_host_and_no_password(tmp_path, command):
    port = closed_port()
    result = narrate_bot(
        command,
        cwd=tmp_path,
        NARRATE_DATABASE_URL=f"postgresql://narrate:{PASSWORD}@127.0.0.1:{port}/narrate",
        NARRATE_DISCORD__TOKEN="not-a-real-token",
    )
    line = the_message(result)
    assert line.startswith("Can't connect to the database "), line
    assert f"narrate:***@127.0.0.1:{port}/narrate" in line
    assert "Connection refused" in line and "NARRATE_DATABASE_URL" in line
    assert PASSWORD not in result.stdout + result.stderr
    assert "not-a-real-token" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_a_database_from_a_newer_version_is_one_line_that_says_so(tmp_path, command):
    db = tmp_path / "newer.db"
    assert narrate_bot("migrate", "--db", str(db), cwd=tmp_path).returncode == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed0001'")
    result = narrate_bot(
        command,
        cwd=tmp_path,
        NARRATE_DATABASE_URL=f"sqlite:///{db}",
        NARRATE_DISCORD__TOKEN="not-a-real-token",
    )
    line = the_message(result)
    assert str(db) in line and "'f00dfeed0001'" in line, line
    assert "doesn't match this version's migrations" in line
    assert "A newer narrate-bot probably migrated it" in line


def test_an_unreachable_discord_is_one_line_with_the_url(tmp_path):
    port = closed_port()
    result = narrate_bot(
        "run",
        cwd=tmp_path,
        NARRATE_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        NARRATE_DISCORD__TOKEN="not-a-real-token",
        NARRATE_DISCORD__API_BASE_URL=f"http://127.0.0.1:{port}/api/v10",
    )
    line = the_message(result)
    assert line.startswith(f"Can't reach Discord's API at http://127.0.0.1:{port}/api/v10 ("), line
    assert "NARRATE_DISCORD__API_BASE_URL" in line
    assert "not-a-real-token" not in result.stdout + result.stderr


async def test_discord_failing_at_startup_says_try_later(tmp_path):
    """Discord answering 503 to the login is an outage on its side: say so, and to retry."""
    fake = await FakeDiscord(login_status=503).start()
    try:
        result = await asyncio.to_thread(
            narrate_bot,
            "run",
            cwd=tmp_path,
            NARRATE_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
            NARRATE_DISCORD__TOKEN="not-a-real-token",
            NARRATE_DISCORD__API_BASE_URL=fake.api_base,
            NARRATE_DISCORD__GATEWAY_URL=fake.ws_url,
        )
    finally:
        await fake.stop()
    line = the_message(result)
    assert line.startswith("Discord's API answered 503 while the bot was starting"), line
    assert "discordstatus.com" in line


def test_a_slack_port_already_taken_is_one_line_that_says_which(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = narrate_bot(
            "run",
            cwd=tmp_path,
            NARRATE_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
            NARRATE_SLACK__BOT_TOKEN="xoxb-not-a-real-token",
            NARRATE_SLACK__SIGNING_SECRET="not-a-real-secret",
            NARRATE_SLACK__HOST="127.0.0.1",
            NARRATE_SLACK__PORT=str(port),
        )
    line = the_message(result)
    assert line.startswith(f"Slack's HTTP server can't listen on 127.0.0.1:{port}"), line
    assert "NARRATE_SLACK__PORT" in line
    assert "xoxb-not-a-real-token" not in result.stdout + result.stderr
