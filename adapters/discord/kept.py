"""Button commands too long for a Discord ``custom_id``, kept in the database under a short key.

A button carries its command in its ``custom_id`` (at most 100 characters), so a click works
after a restart (``render.py``). Some commands don't fit: "Keep as a narration" carries the
person's whole text, "Ask in #questions" their whole question, "Replace #2 with this" the new
text. Such a command is kept in the database (``narrate_bot.storage.pending_actions``) under a
random key, with who may click it, and the button carries ``narrate-kept[@guild]:<key>``: a
click after a restart, a deploy or on another replica finds the words all the same.

Only the person the button was shown to may use it (a post in a channel: anyone who sees it);
someone else is told so, and nothing changes. A one-shot button of one person's ("Keep as a
narration", "Replace #2 with this") is claimed by its click before the command runs (its words
wiped at once), so a double click, or two clicks reaching two replicas, runs it once: the other is
told the button was used. When the command fails before changing anything, it is kept again.
A key older than a week (swept by the scheduler), or one kept in memory by a version before
this, is answered with ``EXPIRED``. When the database can't keep one, the button is left out:
the reply names the command to send instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from narrate_bot.events import Platform
from narrate_bot.storage import pending_actions
from narrate_bot.storage.database import Database

from .render import Outgoing, custom_id

log = logging.getLogger(__name__)

EXPIRED = (
    "That button has expired — send it again: type the command (for a question, /whoknows "
    "and your topic; for words to keep, /narrate note and your text) and use the button on my "
    "new answer. Nothing was changed."
)
ALREADY_USED = (
    "That button was already used: a click just before this one did what it says, once. "
    "/narrate mine lists what you keep. Nothing more was changed."
)
NOT_YOURS = (
    "That button is for the person I showed it to, so it does nothing for you. Type the "
    "command yourself to do the same. Nothing was changed."
)


class KeptButtons:
    """The adapter's side of ``pending_actions``: keys for a message's long commands, and the
    command behind a clicked key. ``db`` is ``None`` for a client without one (long buttons
    are then left out)."""

    def __init__(self, db: Database | None, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    async def prepare(
        self,
        part: Outgoing,
        *,
        guild_id: int | None,
        owner: int | None,
        in_dm: bool,
        known: Mapping[str, str] | None = None,
    ) -> Outgoing:
        """``part`` with a key for each of its commands that don't fit a ``custom_id``, kept
        in ``guild_id``'s workspace for ``owner`` (``None``: anyone who sees it). ``in_dm``:
        the ids name their guild too, which leaves less room. ``known``: keys kept already
        for this answer (``Interactions``), written again nowhere."""
        named = guild_id if in_dm else None
        long = sorted(
            {b.command for b in part.buttons if custom_id(b.command, guild_id=named) is None}
        )
        keys = [(command, (known or {})[command]) for command in long if command in (known or {})]
        long = [command for command in long if command not in (known or {})]
        if not long:
            return replace(part, keys=tuple(keys)) if keys else part
        if self.db is None or guild_id is None:
            log.warning("%d long button commands with nowhere to keep them: left out", len(long))
            return replace(part, keys=tuple(keys))
        try:
            for command in long:
                key = await pending_actions.keep(
                    self.db,
                    platform=Platform.DISCORD.value,
                    external_id=str(guild_id),
                    user_id=pending_actions.ANYONE if owner is None else str(owner),
                    command=command,
                    now=self.now(),
                )
                keys.append((command, key))
        except Exception as problem:  # the type only: the command holds someone's words
            log.warning("keeping a long button command failed (%s)", type(problem).__name__)
            log.debug("keeping a long button command failed", exc_info=True)
        return replace(part, keys=tuple(keys))

    async def find(self, guild_id: int, key: str) -> pending_actions.Kept | None:
        """The command kept under ``key`` in the guild; ``None`` when expired or unknown."""
        if self.db is None:
            return None
        return await pending_actions.find(
            self.db,
            platform=Platform.DISCORD.value,
            external_id=str(guild_id),
            key=key,
            now=self.now(),
        )

    async def claim(self, guild_id: int, key: str, user_id: str) -> bool:
        """Take a one-shot button's command (Keep, Replace) for this click, before it runs;
        ``False`` when another click took it first (``pending_actions.claim``)."""
        if self.db is None:
            return False
        return await pending_actions.claim(
            self.db,
            platform=Platform.DISCORD.value,
            external_id=str(guild_id),
            key=key,
            user_id=user_id,
        )

    async def put_back(self, guild_id: int, key: str, kept: pending_actions.Kept) -> None:
        """Keep a claimed command again: its click failed before changing anything, and the
        offer still on screen must work on the next one. A failure here only loses the button:
        the offer quotes the words, and names the command that keeps them."""
        if self.db is None:
            return
        try:
            await pending_actions.put_back(
                self.db,
                platform=Platform.DISCORD.value,
                external_id=str(guild_id),
                key=key,
                user_id=kept.user_id,
                command=kept.command,
            )
        except Exception as problem:  # the type only: the command holds someone's words
            log.warning("keeping a button command again failed (%s)", type(problem).__name__)

    async def used(self, guild_id: int, key: str) -> None:
        """Forget a command whose button did its one job (its message was replaced). A failure
        only leaves it to expire."""
        if self.db is None:
            return
        try:
            await pending_actions.used(
                self.db, platform=Platform.DISCORD.value, external_id=str(guild_id), key=key
            )
        except Exception as problem:  # it expires within the week all the same
            log.warning("forgetting a used button command failed (%s)", type(problem).__name__)
