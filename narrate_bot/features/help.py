"""The help text: every command in a few lines, named the way the person's platform names them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..events import MessageReceived, Platform
from ..questions import strip_bot_address, topic_of
from ..replies import Reply
from . import members_only, narrate, who_knows
from .turn import Turn

HELP = """\
narrate-bot keeps what you narrate about your work and helps colleagues find who knows what.
/narrate <text>: record what you're working on (/narrate alone asks for it)
/narrate note <text>: keep it as written, even when it starts like a command (“follow kafka”)
/narrate mine: your recent narrations, each with its number
/narrate mine <words> · mine since <date> · mine <date>..<date>: search all of yours
/narrate edit <number> <text> · /narrate delete <number>: change or remove one of yours
/narrate share <number> · /narrate unshare <number>: let the workspace find it, or not
/narrate who <topic>, or ask me "who knows about <topic>?" ("help me with …"): people and why
/narrate stuck on <what> (or need help with …): I name who narrates about it, to you alone
/narrate ask-me-about <topics> · /narrate hide-me <topic> · /narrate unhide-me <topic>
/narrate topics: who narrates what lately · /narrate profile [@someone]: what they narrate about
/narrate follow <topic> · unfollow <topic>|all · /narrate follow: a Monday DM of what's new
/narrate questions-channel [#channel|here|off]: where unanswered questions go; alone, shows it
/narrate ask-channel <q>: post there · only admins change questions-channel once it's set
/narrate ask-channel answered|withdraw: close your newest open question (answered by @name: thanks)
/narrate ask-channel still-open q<n>: keep question q<n> open (its follow-up DM names it)
/narrate team <name> · /narrate timezone <Area/City>: your team and time zone
/narrate join · /narrate pause <2w|3d|8h> or until <date> · /narrate resume · /narrate leave
/narrate intros join · /narrate intros leave · /narrate intros: introductions, yours
/narrate intros skip [3w|until <date>|off] · /narrate intros every week|2w|4w: your pace
/narrate intros cadence weekly|biweekly: how often rounds run (admins)
/narrate never-pair @name (private; never-pair remove @name undoes it) · /narrate stats
/narrate remind me weekdays 09:30 · /narrate remind off: a personal prompt, in your time zone
/narrate schedule #channel weekdays 16:30 [zone] · list · remove <number> · skip <date>[..<date>]
/narrate schedule skips [#channel] · unskip <date>[..<date>] [#channel]: see or undo skipped days
/narrate schedule reminder|digest #channel on|off · /narrate intros schedule mon 10:00 [zone]
/narrate schedule updates #channel [thread|off]: post form updates in the prompt's thread, or not
/narrate schedule managers admins|members: who may change schedules (admins choose)
/narrate schedule question <number> <text>|default: what a prompt asks (or put it after its time)
/narrate workspace-timezone <Area/City>: the workspace's time zone for schedules
/narrate reply <number>: write your update to a prompt in a form (its button does this)
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
    schedule help``), so asking for help on one thing doesn't bury it in everything. A topic
    nothing mentions still gets everything, saying so, rather than an answer that looks like
    the question went unread."""
    wanted = _words(topic)
    lines, everything = _lines(turn)
    if wanted:
        # The commands a line names first ("help follow" is the follow line, not the note
        # line whose example is "follow kafka"); only when none does, what lines say.
        found = [line for line in lines if wanted <= _command_words(line)]
        found = found or [line for line in lines if wanted <= _words(line)]
        if found:
            return [turn.reply("\n".join([*found, f"{everything} lists everything."]))]
    full = "\n".join([_FIRST, *lines, _last(turn, everything)])
    if not wanted:
        return [turn.reply(full)]
    asked = " ".join(topic.split())
    asked = asked if len(asked) <= 40 else asked[:39] + "…"
    return [turn.reply(f"I have no help on “{asked}”; here is everything.\n{full}")]


def _lines(turn: Turn) -> tuple[list[str], str]:
    """The command lines of the person's platform, and the command that shows them all."""
    names = _NAMES.get(turn.event.tenant.platform)
    if names is None:
        return HELP.splitlines()[1:-1], "/narrate help"
    return list(names.lines), names.everything


def _last(turn: Turn, everything: str) -> str:
    """Help's last line, with how to ask about one command (and, where a DM to the bot is read
    like ``/narrate`` text, that it is)."""
    if turn.event.tenant.platform in _NAMES:
        return f"{_LAST} {everything} <command> shows one."
    return f"{_LAST} In a DM, skip /narrate; /narrate help <command> shows one."


async def help_or_who_knows(turn: Turn, topic: str) -> list[Reply]:
    """``help me with kafka acls``: who knows about it, as asked; nothing is kept.

    The whole help page answered someone stuck on their work with a list of commands (a DM
    is read like ``/narrate`` text, so a plain "help me with …" said to the bot got it too).
    Words that name something of the bot's ("help me with schedules", "help me with
    commands") still get help, as ``help <words>`` does: the words a command is made of, not
    what help says about it ("help me with kafka" isn't the note line, whose example is
    "follow kafka"; "help me with search" isn't the line of ``mine``, which searches)."""
    wanted = _words(topic)
    if not wanted or any(wanted <= _command_words(line) for line in _lines(turn)[0]):
        return show_help(turn, topic)
    if members_only.is_guest(turn):
        replies = members_only.refuse(turn, "who")
    else:
        replies = await who_knows.answer(turn, topic_of(topic))
    return _with_keep_offer(turn, replies)


ASK_WHAT = "Help with what? Say e.g. “need help with kafka acls” and I'll tell you who knows."


def ask_what(turn: Turn) -> list[Reply]:
    """A request that names no subject ("need help", "need help with 🙏", "help me with"). It
    was kept in a DM as an empty narration (enrolling again someone who had left), or got the
    whole help; it asks what about, keeping nothing (a DM's answer offers to keep it)."""
    if members_only.is_guest(turn):
        return _with_keep_offer(turn, members_only.refuse(turn, "who"))
    return _with_keep_offer(turn, [turn.reply(ASK_WHAT)])


def _with_keep_offer(turn: Turn, replies: list[Reply]) -> list[Reply]:
    """A DM read as a request kept nothing, yet it may have been an update about the work
    ("need help with the ledger export" to say where one is): its answer offers to keep the
    words as written, as a mistyped command's does, so nothing said to the bot is lost."""
    event = turn.event
    if not (turn.in_dm and isinstance(event, MessageReceived)) or not replies:
        return replies
    line, buttons = narrate.keep_offer(strip_bot_address(event.text))
    first = replies[0]
    offered = first.model_copy(
        update={
            "text": f"{first.text}\nI didn't keep your message. {line}",
            "buttons": (*first.buttons, *buttons),
        }
    )
    return [offered, *replies[1:]]


# Words in a request for help that name no command ("help on schedule", "help with commands").
_FILLER = {"on", "about", "with", "for", "the", "a", "an", "of", "command", "commands", "narrate"}
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    """A topic's or a help line's words, each in its singular and plural form, so one reads
    the other however each spells it: "schedule" finds ``/narrate-schedules`` (Discord's group),
    "remind" finds ``remind-me``, "unskip" finds "… · unskip <date>", and "never-pair remove"
    the line naming both words, while "remind" doesn't find "reminder"."""
    found: set[str] = set()
    for word in _WORD.findall(text.lower()):
        if word in _FILLER:
            continue
        found.add(word)
        found.add(word[:-1] if word.endswith("s") and len(word) > 3 else f"{word}s")
    return found


# What a help line says about a command rather than its words: examples and placeholders.
_EXAMPLES = re.compile(r"“[^”]*”|\"[^\"]*\"|<[^>]*>|\[[^\]]*\]")


def _command_words(line: str) -> set[str]:
    """The words of the commands a help line names: each of its " · " parts up to where it
    says what the command does (its last ": "), without examples, ``<…>`` and ``[…]``.
    "/narrate mine <words> · mine since <date>: search all of yours" is ``mine`` and ``since``,
    never "search"."""
    named = []
    for part in _EXAMPLES.sub(" ", line).split(" · "):
        said = part.split(": ")
        named.append(" ".join(said[:-1]) if len(said) > 1 else part)
    return _words(" ".join(named))


def unknown_command(turn: Turn, command: str) -> list[Reply]:
    return [
        turn.reply(
            f"I don't know the command /{command}. I answer to /narrate; "
            "/narrate help lists what it can do."
        )
    ]
