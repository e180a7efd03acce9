"""The real discord.py client against the local fake (REST + gateway on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

from narrate_bot.config import DiscordSettings, Settings
from narrate_bot.events import Event, Platform
from narrate_bot.ports import ChatGateway
from narrate_bot.replies import Reply
from narrate_bot.storage.database import Database
from narrate_bot_adapters.discord.client import NarrateClient

from .fake import FakeDiscord

FAST = DiscordSettings(token="fake-token", post_interval_seconds=0.0, dm_interval_seconds=0.0)
UNDEFERRED = 60.0  # ``defer_after`` unless ``@pytest.mark.deferring``: longer than any test
UNANSWERED = 30.0  # how long teardown waits for a first response: only a failure reaches it


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "deferring: connect() defers an interaction after the adapter's own DEFER_AFTER (1 s), "
        "as in production; without it nothing is deferred, so a loaded machine can't turn a "
        "first response into a deferral",
    )
    config.addinivalue_line(
        "markers", "undeferred: the default since 'deferring' exists; kept where tests say so"
    )


class Recorder:
    """A stand-in core that records the events it gets and answers with canned replies."""

    def __init__(self, replies: list[Reply] | None = None, delay: float = 0.0) -> None:
        self.events: list[Event] = []
        self.replies = replies or []
        self.delay = delay
        self.gateways: dict[Platform, ChatGateway] = {}
        self.settings = Settings(discord=FAST)

    async def handle(self, event: Event) -> list[Reply]:
        self.events.append(event)
        await asyncio.sleep(self.delay)
        return list(self.replies)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


async def until(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.ws_url)
    )
    yield server
    await server.stop()


Connect = Callable[..., Awaitable[NarrateClient]]


@pytest.fixture
async def connect(
    fake: FakeDiscord, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Connect]:
    """Connects a client to the fake. It defers nothing unless the test is marked
    ``@pytest.mark.deferring`` or passes ``defer_after`` itself: a test asserting a first
    response otherwise gets a deferral ("thinking…") whenever a loaded machine stretches the
    core's work past ``DEFER_AFTER``, and CI runs on loaded machines. The deferral itself is
    tested by the tests that pass ``defer_after`` and hold the core.

    At teardown every interaction sent must have had its first response (an answer, a deferral
    or a form): Discord shows "This interaction failed" for one left without. It is waited for,
    not timed: how soon it comes depends on the machine's load, so the answer time is measured
    in benchmarks (``discord_archived_threads``), and the deferral by the tests that hold the
    core (``test_a_slow_answer_is_deferred_then_followed_up``)."""
    undeferred = request.node.get_closest_marker("deferring") is None
    running: list[tuple[NarrateClient, asyncio.Task[None]]] = []
    spare: list[Database] = []

    async def _connect(
        core: Any, settings: Settings | None = None, **options: Any
    ) -> NarrateClient:
        db = getattr(core, "db", None)
        if db is None:
            db = Database(f"sqlite:///{tmp_path / 'unused.db'}")
            spare.append(db)
        if undeferred:
            options.setdefault("defer_after", UNDEFERRED)
        client = NarrateClient(
            core, settings or Settings(discord=FAST), db=db, guild_ready_timeout=0.05, **options
        )
        task = asyncio.create_task(client.start("fake-token"))
        running.append((client, task))
        await asyncio.wait_for(client.wait_until_ready(), 10)
        return client

    yield _connect

    def unanswered() -> list[str]:
        return sorted(set(fake.sent_at) - set(fake.acked_at))

    with contextlib.suppress(AssertionError):  # reported below, once the clients are closed
        await until(lambda: not unanswered(), timeout=UNANSWERED)
    for client, task in running:
        await client.close()
        await task
    for db in spare:
        await db.dispose()
    assert not unanswered(), f"interactions never given a first response: {unanswered()}"
