"""The help text: every command in a few lines, named the way the person's platform names them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..events import Platform
from ..replies import Reply
from .turn import Turn

HELP = """\
narrate-bot keeps what you narrate about your work and helps colleagues find who knows what.
/narrate <text>: record what you're working on (/narrate alone asks for it)
/narrate mine: your recent narrations with their ids
/narrate edit <id> <text> · /narrate delete <id>: change or remove one of yours
/narrate share <id> · /narrate unshare <id>: let the whole workspace find it, or not
/narrate who <topic>, or ask me "who knows about <topic>?": people and why
/narrate ask-me-about <topics> · /narrate hide-me <topic> · /narrate unhide-me <topic>
/narrate topics: who narrates what lately · /narrate profile [@someone]: what they narrate about
/narrate questions-channel #channel: where unanswered questions can go (/narrate ask-channel <q>)
/narrate team <name> · /narrate timezone <Area/City>: your team and time zone
/narrate join · /narrate pause <2w|3d|8h> · /narrate resume · /narrate leave
/narrate intros join · /narrate intros leave · /narrate intros skip: weekly introductions
/narrate never-pair @name (private; never-pair remove @name undoes it) · /narrate stats
/narrate remind me weekdays 09:30 · /narrate remind off: a personal prompt, in your time zone
/narrate schedule #channel weekdays 16:30 [zone] · list · remove <id> · skip <date>[..<date>]
/narrate schedule skips [#channel] · unskip <date>[..<date>]: see skipped days, take some back
/narrate schedule reminder|digest #channel on|off · /narrate intros schedule mon 10:00 [zone]
/narrate workspace-timezone <Area/City>: the workspace's time zone for schedules
/narrate reply <id>: write your update to a prompt in a form (its button does this)
/narrate export: everything I store about you, as JSON
/narrate forget-me: erase everything about you (asks to confirm)
Narrations are only shown to people who could already read where you wrote them."""


_FIRST, *_, _LAST = HELP.splitlines()


@dataclass(frozen=True)
class CommandNames:
    """How a platform's own commands read in help, when they aren't ``/narrate <sub-command>``.

    ``lines`` replace the command lines of ``HELP`` (its first and last lines stay); each names
    its sub-commands as words, so ``help team`` finds the line about ``team``. ``everything``
    is the command that shows all of it.
    """

    lines: tuple[str, ...]
    everything: str


_NAMES: dict[Platform, CommandNames] = {}


def name_commands(platform: Platform, lines: Sequence[str], *, everything: str) -> None:
    """Registered by an adapter whose platform lays the commands out differently (Discord
    can't give ``/narrate`` both a text field and subcommands, so they live in groups): help
    must name what people can type there. The adapter holds that table; the core never
    imports adapters, so the adapter tells it."""
    _NAMES[platform] = CommandNames(tuple(lines), everything)


def show_help(turn: Turn, topic: str = "") -> list[Reply]:
    """All of it, or the lines about one command (``/narrate help schedule``, ``/narrate
    schedule help``), so asking for help on one thing doesn't bury it in everything."""
    wanted = topic.strip().lower().lstrip("/")
    names = _NAMES.get(turn.event.tenant.platform)
    if names is None:
        if wanted:
            lines = [line for line in HELP.splitlines() if f"/narrate {wanted}" in line]
            if lines:
                return [turn.reply("\n".join([*lines, "/narrate help lists everything."]))]
        return [turn.reply(HELP)]
    if wanted:
        word = re.compile(rf"(?<![\w-]){re.escape(wanted)}(?![\w-])", re.I)
        lines = [line for line in names.lines if word.search(line)]
        if lines:
            return [turn.reply("\n".join([*lines, f"{names.everything} lists everything."]))]
    return [turn.reply("\n".join([_FIRST, *names.lines, _LAST]))]


def unknown_command(turn: Turn, command: str) -> list[Reply]:
    return [
        turn.reply(
            f"I don't know the command /{command}. I answer to /narrate; "
            "/narrate help lists what it can do."
        )
    ]
