"""``narrate-bot run``: one bot for every configured platform, plus the scheduler's wake-up.

One ``Bot`` holds every platform's ``ChatGateway``, so a scheduled prompt, digest or introduction
is delivered on whichever platform its workspace lives. The ``Ticker`` only wakes the core up; the
claims in our tables keep several replicas (each running this) from sending anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from narrate_bot.app import Bot
from narrate_bot.clock import SystemClock
from narrate_bot.config import Settings
from narrate_bot.scheduling import Ticker
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 10.0


class StartupError(RuntimeError):
    """A platform can't start with these settings; the message says what to change."""


def _platforms(
    settings: Settings, bot: Bot, db: Database, stop: asyncio.Event
) -> list[Coroutine[Any, Any, None]]:
    """The configured platforms' long-running coroutines, checked before anything connects."""
    runs: list[Coroutine[Any, Any, None]] = []
    if settings.slack.configured:
        try:
            from .slack.runner import SlackConfigError, check, serve_bot
        except ImportError:
            raise StartupError(
                "Slack is configured but slack-bolt isn't installed: "
                "pip install 'narrate-bot[slack]'."
            ) from None
        try:
            check(settings)
        except SlackConfigError as problem:
            raise StartupError(f"Slack is not set up completely: {problem}") from None
        runs.append(serve_bot(bot, settings, stop=stop))
    if settings.discord.configured:
        try:
            from .discord.runner import DiscordStartupError
            from .discord.runner import serve as serve_discord
        except ImportError:
            raise StartupError(
                "Discord is configured but discord.py isn't installed: "
                "pip install 'narrate-bot[discord]'."
            ) from None

        async def discord() -> None:
            try:
                await serve_discord(bot, settings, db)
            except DiscordStartupError as problem:
                raise StartupError(str(problem)) from None

        runs.append(discord())
    return runs


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Migrate, then serve every configured platform until ``stop`` is set or one of them stops
    or fails. Setting ``stop`` lets each platform close its connections itself."""
    stop = stop or asyncio.Event()
    db = Database(settings.database_url)
    try:
        await upgrade(db)
        bot = Bot(db=db, clock=SystemClock(), settings=settings)
        runs = _platforms(settings, bot, db, stop)
        ticker = Ticker(bot)
        ticker.start()
        tasks: list[asyncio.Task[object]] = [asyncio.create_task(run) for run in runs]
        tasks.append(asyncio.create_task(stop.wait()))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a platform that failed to start says why
        finally:
            stop.set()  # the others close their own connections (Slack drains its work)
            await ticker.aclose()
            _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        await db.dispose()
