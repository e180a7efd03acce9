"""What ``narrate-bot run`` logs with no ``NARRATE_LOG_LEVEL`` set: the lines an operator needs
(which database, the schedules ticking, Slack listening, Discord's invite link), and never a token
or what someone wrote. The console stays quiet so its chat isn't cluttered."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from narrate_bot.events import Platform, TenantRef
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.entry_point import narrate_bot
from tests.adapters.slack.conftest import signed_headers, until
from tests.adapters.slack.fake_slack import FakeSlack
from tests.scheduling.support import add_channel_prompts

SIGNING = "signing-secret-for-the-log-test"
SLACK_TOKEN = "xoxb-test-log-0000"
DISCORD_TOKEN = "discord-token-for-the-log-test"
WRITTEN = "quietly rewired the zanzibar payment webhook"


async def _due_prompt(url: str) -> None:
    db = Database(url)
    await upgrade(db)
    due = datetime.now(UTC) - timedelta(minutes=10)
    await add_channel_prompts(
        db,
        count=1,
        days="daily",
        at=f"{due:%H:%M}",
        zone="UTC",
        now=due - timedelta(minutes=1),
        tenant=TenantRef(platform=Platform.SLACK, tenant_id="T1", name="Acme"),
    )
    await db.dispose()


def _dm(text: str) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": "Ev-log",
            "event_time": 1763800000,
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": "U1",
                "text": text,
                "ts": "1763800000.000100",
                "channel": "D1",
            },
        }
    )


async def test_run_logs_its_startup_at_info_and_nothing_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    await _due_prompt(url)
    slack = await FakeSlack().start()
    discord = await FakeDiscord().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NARRATE_", "SLACK_"))}
    env |= {
        "NARRATE_DATABASE_URL": url,
        "NARRATE_SCHEDULE_TICK_SECONDS": "1",
        "NARRATE_SLACK__BOT_TOKEN": SLACK_TOKEN,
        "NARRATE_SLACK__SIGNING_SECRET": SIGNING,
        "NARRATE_SLACK__HOST": "127.0.0.1",
        "NARRATE_SLACK__PORT": "0",
        "NARRATE_SLACK__API_URL": slack.base_url,
        "NARRATE_DISCORD__TOKEN": DISCORD_TOKEN,
        "NARRATE_DISCORD__API_BASE_URL": discord.api_base,
        "NARRATE_DISCORD__GATEWAY_URL": discord.ws_url,
    }
    script = Path(sys.executable).with_name("narrate-bot")
    bot = await asyncio.create_subprocess_exec(
        script, "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert bot.stderr is not None
    stderr = bot.stderr
    lines: list[str] = []

    async def read() -> None:
        while line := await stderr.readline():
            lines.append(line.decode())

    reading = asyncio.create_task(read())

    def logged(pattern: str) -> re.Match[str] | None:
        return next(filter(None, (re.search(pattern, line) for line in lines)), None)

    try:
        await until(lambda: bool(logged(r"listening for HTTP on 127\.0\.0\.1:(\d+)")), 30)
        listening = logged(r"listening for HTTP on 127\.0\.0\.1:(\d+)")
        assert listening is not None
        body = _dm(WRITTEN)
        async with aiohttp.ClientSession() as session:
            events = f"http://127.0.0.1:{listening.group(1)}/slack/events"
            headers = signed_headers(body, "application/json", secret=SIGNING)
            async with session.post(events, data=body, headers=headers) as answer:
                assert answer.status == 200
        await until(lambda: "Noted as #1" in str(slack.called("chat.postMessage")), timeout=15)
        await until(lambda: bool(logged("invite link: ") and logged("tick: claimed 1, sent 1")), 15)
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 30)
        await reading
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await slack.stop()
        await discord.stop()
    log = "".join(lines)
    assert bot.returncode == 0, log
    # What an operator needs to see, without asking for it:
    database = re.escape(f"database sqlite+aiosqlite:///{tmp_path / 'run.db'} is up to date")
    assert logged(rf"INFO narrate_bot_adapters\.serve: {database}$"), log
    assert logged(r"INFO .*: schedules: checking for due prompts, .* every 1 s$"), log
    assert logged(r"INFO .*: slack: listening for HTTP on 127\.0\.0\.1:\d+$"), log
    assert logged(
        r"INFO .*: connected to 1 servers; invite link: https://discord\.com/oauth2/authorize"
        r"\?client_id=1000&scope=bot\+applications\.commands&permissions=309237730304$"
    ), log
    assert logged(r"INFO narrate_bot\.scheduling: tick: claimed 1, sent 1$"), log
    # ...and nothing it mustn't: what people wrote, secrets, or APScheduler's per-tick chatter.
    for private in (WRITTEN, "zanzibar", SLACK_TOKEN, SIGNING, DISCORD_TOKEN):
        assert private not in log, private
    assert "Running job" not in log and "executed successfully" not in log, log
    assert "Traceback" not in log, log


def test_the_console_keeps_its_chat_clear(tmp_path: Path) -> None:
    result = narrate_bot(
        "console", "--db", str(tmp_path / "c.db"), cwd=tmp_path, input="alice: /narrate hi\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[only alice in #general] Noted as #1.")
    assert result.stderr == ""
