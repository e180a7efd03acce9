"""What guests and people from other organisations may not see.

They can narrate and manage everything of their own, but who-knows answers, the topic map,
other people's profiles and introductions are built from what members narrated across the
workspace, in channels a guest can't open.
"""

from __future__ import annotations

from ..replies import Reply
from .turn import Turn

_WHAT = {
    "intros_join": "Introductions are made from what people narrated across the workspace",
    "ask_channel": "The open-questions channel is where the workspace's members help each other",
    "follow": "Following a topic sends you what people narrated about it across the workspace",
}
_SHOWS = "That shows what people narrated across the workspace"
_REST = (
    ", so it's open to the workspace's members only, and your account is a guest or from "
    "another organisation here. You can still narrate (/narrate <text>) and see, edit, export or "
    "erase your own narrations (/narrate mine, /narrate export, /narrate forget-me)."
)
MEMBERS_ONLY = _SHOWS + _REST


def is_guest(turn: Turn) -> bool:
    return turn.event.user.guest


def refuse(turn: Turn, action: str = "") -> list[Reply]:
    """The refusal says what the refused thing is, so a guest who tried to post a question
    isn't told they tried to see other people's narrations."""
    return [turn.reply(_WHAT.get(action, _SHOWS) + _REST)]
