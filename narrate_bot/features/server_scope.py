"""Saying where a personal setting or erasure applies, on Discord.

One Discord account takes part in every server the bot is in, and each server is a tenant of its
own: "everything about you", "paused" or "left" means this server's. People must hear that the
others carry on. (A Slack user id belongs to one workspace; the console has one tenant.)
"""

from __future__ import annotations

from ..events import Platform
from .turn import Turn


def only_here(turn: Turn, elsewhere: str) -> str:
    """A line to add to a reply on Discord ("" elsewhere): "That is this server (Acme) only:
    <elsewhere>"."""
    if turn.event.tenant.platform != Platform.DISCORD:
        return ""
    name = turn.event.tenant.name
    server = f"this server ({name})" if name else "this server"
    return f"\nThat is {server} only: {elsewhere}"
