"""How a channel is named in what the bot says.

A platform may keep a conversation under a name that is not a channel's: a Slack group DM is
stored as ``GROUP_DM`` because Slack's own name for it lists its members' handles, which must not
outlive a member's forget-me (ADR 0009). "#group DM" reads like a channel nobody can find, so
such a conversation is "the group DM" wherever a reply names where something was written.
"""

from __future__ import annotations

GROUP_DM = "group DM"


def shown(name: str) -> str:
    """``#name`` for a channel; "the group DM" for a group conversation kept under that name."""
    return "the group DM" if name == GROUP_DM else f"#{name}"
