"""A real Bolt app behind our HTTP guard, its Web API pointed at a loopback fake Slack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from sqlmodel import func, select

from narrate_bot.app import Bot
from narrate_bot.config import SlackSettings
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.slack.app import SlackAdapter
from narrate_bot_adapters.slack.http import SlackHttpServer
from tests.adapters.slack.fake_slack import FakeSlack

SECRET = "s3cret-signing"
TOKEN = "xoxb-test-0000"


def signed_headers(
    body: str, ctype: str, secret: str = SECRET, ts: str | None = None
) -> dict[str, str]:
    stamp = ts if ts is not None else str(int(time.time()))
    return {
        "Content-Type": ctype,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(
            timestamp=stamp, body=body
        ),
    }


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def eventually(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.02) -> None:
    """Poll an async predicate (a database read) until it holds."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(every)


def event_body(event: dict[str, Any], event_id: str, team: str = "T1") -> str:
    return json.dumps(
        {
            "token": "legacy-unused",
            "team_id": team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1763800000,
            "event": event,
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
    )


RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
"""The headers of Slack's redelivery of an event it saw no answer to in time."""


def dm_event(
    text: str, ts: str = "1763800000.000100", user: str = "U1", channel: str = "D1"
) -> dict[str, Any]:
    """A message ``user`` sends the bot in their DM with it, as Slack's event carries it."""
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "channel": channel,
        "text": text,
        "ts": ts,
    }


def handler_tasks(env: SlackEnv, monkeypatch: pytest.MonkeyPatch) -> list[asyncio.Task[Any]]:
    """The tasks of the event handlers that run from now on, each seen as its work looks the
    person up (a probe that changes nothing): for a test that cancels one."""
    handlers: list[asyncio.Task[Any]] = []
    looked_up = env.adapter.directory.user

    async def user(*args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        handlers.append(task)
        return await looked_up(*args, **kwargs)

    monkeypatch.setattr(env.adapter.directory, "user", user)
    return handlers


def held_at(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str
) -> tuple[asyncio.Event, asyncio.Event]:
    """``module.name`` waits, once reached, until told to go on: (reached, proceed). For a test
    that cancels a handler at one step of its work."""
    reached, proceed = asyncio.Event(), asyncio.Event()
    original = getattr(module, name)

    async def held(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        await proceed.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    return reached, proceed


async def cancel_newest(env: SlackEnv, handlers: list[asyncio.Task[Any]]) -> None:
    """Cancel the newest handler as a shutdown would, and wait until its claim is settled."""
    handlers[-1].cancel()
    await asyncio.wait([handlers[-1]])
    await env.adapter.dedupe.settled()


def noted(env: SlackEnv) -> int:
    """How many "Noted as #n" answers the fake Slack was asked to post."""
    return sum("Noted as #" in json.dumps(c.params) for c in env.fake.called("chat.postMessage"))


@dataclass
class SlackEnv:
    fake: FakeSlack
    adapter: SlackAdapter
    http: aiohttp.ClientSession
    url: str
    db: Database

    async def post(self, body: str, ctype: str, **headers: str) -> tuple[int, str, float]:
        hdrs = signed_headers(body, ctype) | headers
        started = time.monotonic()
        async with self.http.post(self.url, data=body.encode(), headers=hdrs) as response:
            text = await response.text()
            return response.status, text, time.monotonic() - started

    async def command(self, text: str, user: str = "U1", channel: str = "C1", **extra: str):
        fields = {
            "token": "legacy-unused",
            "team_id": "T1",
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": extra.pop("channel_name", "general"),
            "user_id": user,
            "user_name": user.lower(),
            "command": "/narrate",
            "text": text,
            "response_url": self.fake.response_url(user),
            "trigger_id": f"trig-{time.monotonic_ns()}",
            "api_app_id": "A1",
        } | extra
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], event_id: str, **headers: str):
        return await self.post(event_body(event, event_id), "application/json", **headers)

    async def interaction(self, payload: dict[str, Any]):
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    async def narration_count(self) -> int:
        async with self.db.transaction() as session:
            return int((await session.exec(select(func.count()).select_from(Narration))).one())

    async def narrations(self) -> list[Narration]:
        async with self.db.transaction() as session:
            return list((await session.exec(select(Narration).order_by(Narration.id))).all())


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture
async def slack(bot: Bot, fake: FakeSlack, db: Database) -> AsyncIterator[SlackEnv]:
    settings = SlackSettings(
        bot_token=SecretStr(TOKEN),
        signing_secret=SecretStr(SECRET),
        api_url=fake.base_url,
        workspace_rate_per_minute=60_000,
    )
    adapter = SlackAdapter(bot, settings)
    server = SlackHttpServer(adapter, SECRET)
    runner, port = await server.start("127.0.0.1", 0)
    async with aiohttp.ClientSession() as http:
        yield SlackEnv(fake, adapter, http, f"http://127.0.0.1:{port}/slack/events", db)
    await runner.cleanup()
    await asyncio.sleep(0.05)
    await adapter.drain()
