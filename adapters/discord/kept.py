"""Button commands too long for a Discord ``custom_id``, kept in this process under a short key.

A button carries its command in its ``custom_id`` (at most 100 characters), so a click works
after a restart (``render.py``). Some commands don't fit: "Ask in #questions" carries the whole
question, which left out the button for any question over about 70 characters. Such a command
is kept here under a key derived from it, and the button carries ``narrate-kept[@guild]:<key>``.

The map is bounded by the characters it holds (the oldest go first), so memory doesn't grow
with every post. A click on a key this process doesn't have (it restarted since, or the key was
evicted) is told that the button expired and to type the command. Short commands never come
here: their buttons keep working across restarts.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict

# A million characters (a few MB): thousands of long questions, more than are clicked in days.
MAX_CHARS = 1_000_000
EXPIRED = (
    "That button has expired: I was restarted since it was posted. Please type the command "
    "again (for a question, /whoknows and your topic) and use the button on my new answer."
)


class KeptCommands:
    """Key → command, oldest out first once ``max_chars`` characters are held."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._commands: OrderedDict[str, str] = OrderedDict()
        self._chars = 0

    @staticmethod
    def key(command: str) -> str:
        """16 characters from the command itself: the same command keeps the same key."""
        digest = hashlib.blake2b(command.encode(), digest_size=12).digest()
        return base64.urlsafe_b64encode(digest).decode()

    def keep(self, command: str) -> str:
        key = self.key(command)
        if key in self._commands:
            self._commands.move_to_end(key)
            return key
        self._commands[key] = command
        self._chars += len(command)
        while self._chars > self.max_chars and len(self._commands) > 1:
            _, dropped = self._commands.popitem(last=False)
            self._chars -= len(dropped)
        return key

    def get(self, key: str) -> str | None:
        command = self._commands.get(key)
        if command is not None:
            self._commands.move_to_end(key)  # a button people click stays longest
        return command

    def __len__(self) -> int:
        return len(self._commands)


# One per process, like discord.py's own caches: render.py fills it, interactions.py reads it.
KEPT = KeptCommands()
