"""Starting the Discord adapter, and turning the ways it can't start into one clear message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp
import discord

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.storage.database import Database

from .client import NarrateClient, point_at

log = logging.getLogger(__name__)


class DiscordStartupError(RuntimeError):
    """Discord refused to connect the bot; the message says what to change."""


def intents_message(application_id: int | None) -> str:
    portal = "https://discord.com/developers/applications"
    where = f"{portal}/{application_id}/bot" if application_id else f"{portal} → your app → Bot"
    return (
        "Discord refused the connection (close code 4014): narrate-bot asked for the Message "
        "Content intent because NARRATE_DISCORD__MESSAGE_CONTENT is on, but the application "
        f"doesn't have it. Either turn on “Message Content Intent” at {where} (Privileged "
        "Gateway Intents), or unset NARRATE_DISCORD__MESSAGE_CONTENT: the bot works fully "
        "without it, through slash commands, buttons and forms."
    )


def unreachable_message(problem: Exception, custom_base: bool) -> str:
    where = discord.http.Route.BASE
    check = (
        "NARRATE_DISCORD__API_BASE_URL, and that what it names is running"
        if custom_base
        else "this host's network, DNS, proxy and firewall (outbound HTTPS to discord.com)"
    )
    return f"Can't reach Discord's API at {where} ({problem}). Check {check}."


TOKEN_MESSAGE = (
    "Discord rejected the bot token. Copy a fresh one from the Developer Portal (your app → Bot "
    "→ Reset Token) into NARRATE_DISCORD__TOKEN."
)


async def serve(
    bot: Bot,
    settings: Settings,
    db: Database,
    *,
    stop: asyncio.Event | None = None,
    **options: Any,
) -> None:
    """Run until ``stop`` is set (then close the connection) or the client stops; raises
    ``DiscordStartupError`` when Discord won't have us."""
    section = settings.discord
    assert section.token is not None
    point_at(section.api_base_url, section.gateway_url)
    client = NarrateClient(bot, settings, db=db, **options)
    try:
        async with client:
            await _until_stopped(client, section.token.get_secret_value(), stop)
    except discord.PrivilegedIntentsRequired:
        raise DiscordStartupError(intents_message(client.application_id)) from None
    except discord.LoginFailure:
        raise DiscordStartupError(TOKEN_MESSAGE) from None
    # discord.py retries a lost gateway by itself, but not the first call (logging in).
    except aiohttp.ClientConnectionError as problem:
        unreachable = unreachable_message(problem, section.api_base_url is not None)
        raise DiscordStartupError(unreachable) from None
    except discord.DiscordServerError as problem:
        raise DiscordStartupError(
            f"Discord's API answered {problem.status} while the bot was starting: Discord is "
            "having trouble (https://discordstatus.com). Start narrate-bot again later."
        ) from None


async def _until_stopped(client: NarrateClient, token: str, stop: asyncio.Event | None) -> None:
    """``client.start`` until it ends by itself, or until ``stop``: then close it, which ends
    the gateway connection with a normal close and lets ``start`` return."""
    running = asyncio.create_task(client.start(token))
    stopping = asyncio.create_task(stop.wait() if stop is not None else asyncio.Event().wait())
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not running.done():
            log.info("discord: closing the connection")
            await client.close()
        await running  # its error, if it failed (a rejected token, a refused intent)
    finally:
        stopping.cancel()
        if not running.done():
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
