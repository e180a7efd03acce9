"""Core replies and posts as Discord messages, within Discord's limits.

Text up to 2,000 characters is message content; up to 4,096 it becomes an embed description;
longer text is split at line breaks into several messages (an edit of such a post edits every
one of them: ``spread``). Commands the core names are written
as Discord's (``wording.py``). Buttons go on the last message, five
to a row and at most 25; each carries its command in its ``custom_id`` (at most 100 characters),
so a click still works after a restart. A command too long for that is kept in the database
under a short key (``kept.py``), which the button carries instead. A ``FormRequest`` becomes a
modal.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord

from narrate_bot.replies import Attachment, Button, FormRequest

from .wording import discord_text

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
EMBED_LIMIT = 4096
BUTTONS_PER_ROW = 5
MAX_ROWS = 5
CUSTOM_ID_LIMIT = 100
MODAL_TITLE_LIMIT = 45
INPUT_LABEL_LIMIT = 45
PLACEHOLDER_LIMIT = 100
INPUT_VALUE_LIMIT = 4000
THREAD_NAME_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
# What a later part of a split answer says once an edit made the answer fit in fewer messages
# (an edit can't empty a message): the whole answer is above it now. "(continued above)"
# promised more answer that was nowhere, and didn't say why the part was empty.
MOVED_UP = "(This answer now ends above: an edit shortened it.)"

# custom_id = "narrate" ["-form" | "-kept"] ["@" guild id] ":" payload. The guild is named only
# on components sent in DMs, where the click itself carries no guild (so no tenant). A "-kept"
# payload is a key to a command kept in the database (kept.py), not the command.
CUSTOM_ID = re.compile(
    r"^narrate(?:-(?P<kind>form|kept))?(?:@(?P<guild>\d{1,20}))?:(?P<payload>.+)$", re.S
)
FORM_FIELD = "text"

# Answers mention people as <@id> so names render, but nobody gets pinged by an answer.
QUIET = discord.AllowedMentions.none()


def only(user_ids: Iterable[str]) -> discord.AllowedMentions:
    """The bot's own posts (an introduction, a digest) may ping the people the core cites in
    them (``Post.names``, ``Post.to_users``), and nobody else: not someone a quoted narration
    mentions, never @everyone, @here or a role."""
    users = [discord.Object(id=int(u)) for u in sorted(set(user_ids)) if u.isdigit()]
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clip_words(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` at a word's end, with "…": a prompt's own question as a form's
    label (45 characters on Discord) reads as its opening words, not a word cut in two."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return (text[:cut] if cut > limit // 2 else text[: limit - 1]).rstrip(" ,;:-") + "…"


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, broken at line ends (or spaces) where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


@dataclass(frozen=True)
class Outgoing:
    """One Discord message: content or an embed description, and its buttons; ``keys``: the
    key each command too long for a ``custom_id`` is kept under (``kept.KeptButtons.prepare``)."""

    content: str | None = None
    embed: str | None = None
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = field(default=None)
    keys: tuple[tuple[str, str], ...] = ()

    def kwargs(
        self, *, mentions: discord.AllowedMentions = QUIET, guild_id: int | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"allowed_mentions": mentions}
        if self.content is not None:
            out["content"] = self.content
        if self.embed is not None:
            out["embed"] = discord.Embed(description=self.embed)
        view = button_view(self.buttons, guild_id=guild_id, keys=dict(self.keys))
        if view is not None:
            out["view"] = view
        if self.attachment is not None:
            out["file"] = discord.File(
                io.BytesIO(self.attachment.content), filename=self.attachment.filename
            )
        return out


def messages(
    text: str, buttons: tuple[Button, ...] = (), attachment: Attachment | None = None
) -> list[Outgoing]:
    """The core's ``text`` as Discord messages, its commands named as typed here (``wording``)."""
    text = discord_text(text)
    if len(text) <= CONTENT_LIMIT:
        parts = [Outgoing(content=text)]
    elif len(text) <= EMBED_LIMIT:
        parts = [Outgoing(embed=text)]
    else:
        parts = [Outgoing(content=piece) for piece in split_text(text, CONTENT_LIMIT)]
    last = parts[-1]
    parts[-1] = Outgoing(
        content=last.content, embed=last.embed, buttons=buttons, attachment=attachment
    )
    return parts


def spread(text: str, buttons: tuple[Button, ...], count: int) -> list[Outgoing]:
    """The core's ``text`` as the ``count`` messages an answer went out as (``messages``), for
    editing all of them: a message the shorter text no longer reaches says ``MOVED_UP`` (an
    edit can't empty a message), and one text grown past them has its rest in the last (as an
    embed, cut at Discord's limit), so no part keeps words the edit took out."""
    parts = messages(text, buttons)
    if len(parts) <= count:
        return parts + [Outgoing(content=MOVED_UP)] * (count - len(parts))
    rest = "\n".join((p.content or p.embed or "") for p in parts[count - 1 :])
    last = Outgoing(content=rest) if len(rest) <= CONTENT_LIMIT else None
    return [*parts[: count - 1], last or Outgoing(embed=clip(rest, EMBED_LIMIT))]


def custom_id(
    payload: str, *, form: bool = False, guild_id: int | None = None, kept: bool = False
) -> str | None:
    """The component id carrying ``payload``; ``None`` when Discord's 100 characters don't fit."""
    kind = "-form" if form else "-kept" if kept else ""
    value = f"narrate{kind}" + (f"@{guild_id}" if guild_id else "") + ":" + payload
    return value if len(value) <= CUSTOM_ID_LIMIT else None


def button_id(
    command: str, *, guild_id: int | None = None, keys: Mapping[str, str] | None = None
) -> str | None:
    """The command itself when it fits, else the key it is kept under (``keys``); ``None``
    when it is kept nowhere (the database failed): the button is then left out."""
    direct = custom_id(command, guild_id=guild_id)
    if direct is not None:
        return direct
    key = (keys or {}).get(command)
    return None if key is None else custom_id(key, guild_id=guild_id, kept=True)


def button_rows(
    buttons: tuple[Button, ...],
    *,
    guild_id: int | None = None,
    keys: Mapping[str, str] | None = None,
) -> list[list[tuple[Button, str]]]:
    """Buttons with their custom ids, laid out five to a row, at most five rows. A button whose
    long command was kept nowhere is left out (the reply says what to send instead)."""
    ids = [(button, button_id(button.command, guild_id=guild_id, keys=keys)) for button in buttons]
    usable = [(button, found) for button, found in ids if found is not None]
    if len(usable) < len(ids):
        log.warning("%d buttons whose command wasn't kept are left out", len(ids) - len(usable))
    limit = BUTTONS_PER_ROW * MAX_ROWS
    if len(usable) > limit:
        log.warning("%d buttons, Discord shows %d; the rest are left out", len(usable), limit)
        usable = usable[:limit]
    return [usable[i : i + BUTTONS_PER_ROW] for i in range(0, len(usable), BUTTONS_PER_ROW)]


class StatelessView(discord.ui.View):
    """Buttons whose clicks are handled by custom_id (``interactions.py``), not by this object.

    Not dispatchable, so discord.py keeps no per-message state: clicks on a prompt posted weeks
    ago, or before a restart, work the same, and memory doesn't grow with every post.
    """

    def is_dispatchable(self) -> bool:
        return False


def button_view(
    buttons: tuple[Button, ...],
    *,
    guild_id: int | None = None,
    keys: Mapping[str, str] | None = None,
) -> discord.ui.View | None:
    rows = button_rows(buttons, guild_id=guild_id, keys=keys)
    if not rows:
        return None
    view = StatelessView(timeout=None)
    for row_index, row in enumerate(rows):
        for button, custom_id in row:
            view.add_item(
                discord.ui.Button(
                    label=clip(button.label, BUTTON_LABEL_LIMIT),
                    custom_id=custom_id,
                    style=discord.ButtonStyle.danger
                    if button.danger
                    else discord.ButtonStyle.secondary,
                    row=row_index,
                )
            )
    return view


def thread_name(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "narrate-bot")
    return clip(" ".join(first.split()), THREAD_NAME_LIMIT)


class FormModal(discord.ui.Modal):
    """A core ``FormRequest``: one paragraph input; its submission comes back as FormSubmitted."""

    def __init__(self, form: FormRequest, *, max_length: int, guild_id: int | None = None) -> None:
        modal_id = custom_id(form.form, form=True, guild_id=guild_id)
        if modal_id is None:
            raise ValueError(f"form name too long for Discord: {form.form!r}")
        super().__init__(
            title=clip(form.title, MODAL_TITLE_LIMIT),
            custom_id=modal_id,
            timeout=15 * 60,  # the interaction token's lifetime
        )
        self.form = form.form
        self.text: discord.ui.TextInput[FormModal] = discord.ui.TextInput(
            # A prompt's own question may outgrow the label: its opening words there, and as
            # much as fits in the placeholder (the whole question is in the prompt above).
            label=clip_words(form.prompt, INPUT_LABEL_LIMIT),
            placeholder=clip_words(form.prompt, PLACEHOLDER_LIMIT),
            style=discord.TextStyle.paragraph,
            max_length=min(max_length, INPUT_VALUE_LIMIT),
            custom_id=FORM_FIELD,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:  # noqa: ARG002
        # Submissions are handled from the raw interaction (see interactions.py), so a modal
        # opened before a restart is still recorded; nothing to do here.
        return None
