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
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from typing import Any

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


async def send_once(
    channel: discord.abc.Messageable, once: str, kwargs: Callable[[], dict[str, Any]]
) -> discord.Message:
    """``channel.send`` with nonce ``once`` enforced, sent again with it after a failure that
    may have created the message. ``kwargs`` builds the send's arguments afresh for each try
    (an attachment's file is read by the send that uses it)."""
    for wait in (*RESEND_AFTER, None):
        try:
            return await channel.send(nonce=once, **kwargs())
        except MAYBE_MADE as problem:
            if wait is None:
                raise
            status = getattr(problem, "status", type(problem).__name__)
            log.info("a message may not have reached Discord (%s); sending it again", status)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
