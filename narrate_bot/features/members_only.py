"""What guests and people from other organisations may not see.

They can narrate and manage everything of their own, but who-knows answers, the topic map,
other people's profiles and introductions are built from what members narrated across the
workspace, in channels a guest can't open.
"""

from __future__ import annotations

from ..replies import Reply
from .turn import Turn

MEMBERS_ONLY = (
    "That shows what people narrated across the workspace, so it's open to the workspace's "
    "members only, and your account is a guest or from another organisation here. You can "
    "still narrate (/narrate <text>) and see, edit, export or erase your own narrations "
    "(/narrate mine, /narrate export, /narrate forget-me)."
)


def is_guest(turn: Turn) -> bool:
    return turn.event.user.guest


def refuse(turn: Turn) -> list[Reply]:
    return [turn.reply(MEMBERS_ONLY)]
