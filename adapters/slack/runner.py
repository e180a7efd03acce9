"""Start the Slack adapter the way the settings say: Socket Mode, or HTTP with the OAuth flow."""

from __future__ import annotations

import asyncio
import logging

from narrate_bot.app import Bot
from narrate_bot.clock import SystemClock
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from narrate_bot.storage.repositories import check_erasure_key

from .app import SlackAdapter
from .http import SlackHttpServer
from .socket import socket_handler

log = logging.getLogger(__name__)


class SlackListenError(RuntimeError):
    """HTTP mode can't listen where it was told to (the port is taken, or not ours to use)."""


class SlackConfigError(ValueError):
    """The Slack settings can't work together; the message says what to set."""


def check(settings: Settings) -> None:
    slack = settings.slack
    install_flow = [
        f"NARRATE_SLACK__{name.upper()}"
        for name in ("client_id", "client_secret", "state_secret")
        if getattr(slack, name) is not None
    ]
    if slack.bot_token is not None and install_flow:
        # The bot token wins in the adapter, so the install flow would be silently off:
        # /slack/install answers 404 with nothing in the log.
        names = ", ".join(install_flow)
        raise SlackConfigError(
            f"NARRATE_SLACK__BOT_TOKEN (one workspace) and {names} (the install flow, several "
            "workspaces) are set together: pick one. For the install flow leave "
            f"NARRATE_SLACK__BOT_TOKEN unset; for one workspace unset {names}."
        )
    if slack.uses_socket_mode:
        if slack.app_token is None or slack.bot_token is None:
            raise SlackConfigError(
                "Socket Mode needs NARRATE_SLACK__APP_TOKEN (xapp-…) and "
                "NARRATE_SLACK__BOT_TOKEN (xoxb-…)."
            )
        return
    if slack.signing_secret is None:
        raise SlackConfigError("HTTP mode needs NARRATE_SLACK__SIGNING_SECRET.")
    if slack.bot_token is None and not (
        slack.client_id and slack.client_secret and slack.state_secret
    ):
        raise SlackConfigError(
            "Set NARRATE_SLACK__BOT_TOKEN for one workspace, or NARRATE_SLACK__CLIENT_ID, "
            "NARRATE_SLACK__CLIENT_SECRET and NARRATE_SLACK__STATE_SECRET for the install flow."
        )


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run Slack alone until ``stop`` is set (or forever); the database is migrated first."""
    check(settings)
    db = Database(
        settings.database_url,
        erasure_key=settings.erasure_key.get_secret_value() if settings.erasure_key else None,
    )
    try:
        await upgrade(db)
        async with db.transaction() as session:  # as ``serve.prepare_database`` checks it
            await check_erasure_key(session)
        bot = Bot(db=db, clock=SystemClock(), settings=settings)
        await serve_bot(bot, settings, stop=stop)
    finally:
        await db.dispose()


async def serve_bot(bot: Bot, settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Connect ``bot`` to Slack until ``stop`` is set; the caller owns the database.

    ``narrate-bot run`` uses this to serve Slack and Discord from one bot, so the scheduler
    delivers on whichever platform a workspace lives.
    """
    check(settings)
    stop = stop or asyncio.Event()
    adapter = SlackAdapter(bot, settings.slack)
    slack = settings.slack
    if slack.uses_socket_mode:
        assert slack.app_token is not None
        handler = socket_handler(adapter, slack.app_token.get_secret_value())
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: connected in Socket Mode")
        try:
            await stop.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
            await adapter.drain()
    else:
        assert slack.signing_secret is not None
        server = SlackHttpServer(adapter, slack.signing_secret.get_secret_value())
        try:
            runner, port = await server.start(slack.host, slack.port)
        except OSError as problem:
            raise SlackListenError(
                f"Slack's HTTP server can't listen on {slack.host}:{slack.port} "
                f"({problem.strerror or type(problem).__name__}). Another process may be using "
                "that port: stop it, or set NARRATE_SLACK__PORT (and NARRATE_SLACK__HOST) to a "
                "free one and update the app's request URLs."
            ) from None
        log.info("slack: listening for HTTP on %s:%d", slack.host, port)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            await adapter.drain()
