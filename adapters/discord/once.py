"""Messages Discord creates at most once, however often they are sent again.

A 5xx, or a connection dropped before the answer, may come after Discord created the message:
sent again as it was, it would show twice, so such a failure was final ("maybe posted") and a
follow digest or a mention's answer was lost to a passing outage. Discord's create-message
accepts a ``nonce`` (up to 25 characters) with ``enforce_nonce``: "if another message was
created by the same author with the same nonce, that message will be returned and no new
message will be created", for a repeat within the past few minutes. discord.py 2.7 sends
``enforce_nonce: true`` with every nonce it is given (``handle_message_parameters``), and
retries 500/502/504/524 itself with the same body.

So each message is sent with a nonce of its own delivery (``nonce``: a token of the post, kept
for its retries, with its place and part; never its words alone), and a failure that may have
created it is sent again with that nonce a few seconds later (``RESEND_AFTER``, well inside
Discord's window): Discord answers with the message it made, or makes it now. Only when every
try fails is the outcome unknown, and raised as it is.

A paced send (``Turns``: the gateway's shared pace) takes its turn at the start of each try and
holds nobody back while it runs or waits to be sent again: in an outage one channel's 5xx (and
discord.py's own retries of a 500, about 25 s a try) stalled every other delivery for the
minute its resends took. What keeps the order instead is its channel: the next message to the
same channel waits until this one is made or given up, so a resend never lands after it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, Protocol

import aiohttp
import discord

log = logging.getLogger(__name__)

# Discord's longest nonce.
NONCE_CHARS = 25
# Waits before sending again after a failure that may have created the message: a few seconds
# in all (after discord.py's own retries of a 500), far inside Discord's "past few minutes".
RESEND_AFTER = (1.0, 3.0)
# Failures after which the message may exist: a server error, the connection lost on the way.
MAYBE_MADE = (discord.DiscordServerError, aiohttp.ClientError, TimeoutError)


def nonce(*parts: object) -> str:
    """A nonce for one message: the same for the same delivery (the post, its recipient or
    channel, which of its messages), different for any other."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:NONCE_CHARS]


class Turns(Protocol):
    """A pace shared by many sends (the gateway's ``Pacer``)."""

    async def start(self) -> None:
        """Wait for a send's turn to begin, and take it."""

    def in_order(self, channel_id: object) -> AbstractAsyncContextManager[None]:
        """One message to ``channel_id`` at a time, in the order they began."""


class InOrder:
    """One send at a time per channel, in the order they asked: a lock per channel, dropped
    when nobody holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def of(self, channel_id: object) -> AsyncIterator[None]:
        lock, users = self._locks.get(channel_id, (asyncio.Lock(), 0))
        self._locks[channel_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[channel_id]
            if users == 1:
                del self._locks[channel_id]
            else:
                self._locks[channel_id] = (lock, users - 1)


async def send_once(
    channel: discord.abc.Messageable,
    once: str,
    kwargs: Callable[[], dict[str, Any]],
    *,
    turns: Turns | None = None,
) -> discord.Message:
    """``channel.send`` with nonce ``once`` enforced, sent again with it after a failure that
    may have created the message. ``kwargs`` builds the send's arguments afresh for each try
    (an attachment's file is read by the send that uses it). ``turns``: each try starts in
    its turn of that pace, and the channel's next message waits for this one (see above)."""
    where = getattr(channel, "id", channel)
    async with turns.in_order(where) if turns is not None else nullcontext():
        for wait in (*RESEND_AFTER, None):
            try:
                if turns is not None:
                    await turns.start()
                return await channel.send(nonce=once, **kwargs())
            except MAYBE_MADE as problem:
                if wait is None:
                    raise
                status = getattr(problem, "status", type(problem).__name__)
                log.info("a message may not have reached Discord (%s); sending it again", status)
                await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
