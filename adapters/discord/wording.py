"""The core's sentences name commands as Discord spells them.

The core writes ``/narrate pause 2w`` and ``/narrate mine lists them`` for every platform. On
Discord those are grouped subcommands with named fields (``commands.py``), and someone who types
``/narrate pause 2w`` as written gets the ``/narrate`` command with its text field, not the one the
sentence meant. So the text the bot sends on Discord (answers, DMs, prompts, introductions,
digests) is rewritten here, from the same table the commands are built from:
``/narrate-settings pause duration: 2w``, ``/narrate-privacy mine lists them``.

What people wrote and the core shows again keeps their words, even when it reads like a command
(a narration about ``/narrate pause``). The core quotes such text in “…” (evidence, questions,
topics), as ``> `` lines (a form handed back), on the lines of ``mine`` (``#3  date  where
text``) and on a digest's question lines (``<@id>: text``); nothing inside those is touched. Words
after ``/narrate`` that name no sub-command (``/narrate what you're working on``) stay as they are,
and a placeholder for a narration becomes the ``text`` field (``/narrate text: <text>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .commands import GROUPS, NARRATE, Option

# What the core writes for each field, by the field's name; ``None`` is free text (a team name,
# a topic, a question), whose end a sentence doesn't mark, so only its start is labelled.
_TYPED: dict[str, str | None] = {
    "id": r"#?\d+",
    "number": r"#?\d+",
    "duration": r"\d+[a-z]{1,7}|until \d{4}-\d{2}-\d{2}",
    "zone": r"[A-Z][A-Za-z_]+(?:/[A-Za-z_+\-]+)+",
    "channel": r"<#\d+>|#[\w\-]+|here",
    "state": r"on\|off|on|off",
    "how": r"channel\|dm\|both|channel|dm|both",
    "who": r"admins|members",
    "when": r"(?:[a-z]{3,}[a-z,\-]* )?\d{1,2}:\d{2}"
    r"(?: (?:[A-Z][A-Za-z_]+/[A-Za-z_/+\-]+|\[zone\]))?",
    "dates": r"\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?",
    "person": r"<@!?\d+>|@[A-Za-z][\w.\-]*",
    "by": r"<@!?\d+>|@[A-Za-z][\w.\-]*",  # who answered an open question, as ``person``
    "length": r"\d+w|until \d{4}-\d{2}-\d{2}|until <date>|off",
    "interval": r"week\|2w\|4w|weekly|week|\d+w",
    "rhythm": r"weekly\|biweekly|weekly|biweekly",
    "name": None,
    "search": None,
    "text": None,
    "topic": None,
    "topics": None,
    "question": None,
    "command": None,
}
_PLACEHOLDER = r"<(?![@#!])[^<>\n]+>"
_END = r"(?=$|[\s.,;:!?)\]…])"
# Words that follow a bare command in the core's sentences ("/narrate help lists everything"):
# never the start of a free-text value.
_PROSE = frozenset(
    {
        "lists",
        "shows",
        "sets",
        "stops",
        "brings",
        "adds",
        "takes",
        "ends",
        "undoes",
        "erases",
        "downloads",
        "starts",
        "first",
        "for",
        "or",
        "to",
        "and",
        "again",
        "records",
        "opens",
        "is",
        "it",
        "so",
    }
)

_COMMAND = re.compile(rf"(?<![\w/\-])/{NARRATE}(?![\w\-'’])")
# Text the core quotes from people, never rewritten (see the module's docstring).
_QUOTED = re.compile(r"“[^”]*”|^> .*$|^#\d+  .*$|^(?:• )?<@[\w.\-]+>: .*$", re.M)


@dataclass(frozen=True)
class Form:
    """How the core words one Discord command: ``words`` after ``/narrate``, then ``options``."""

    words: tuple[str, ...]
    command: str
    options: tuple[Option, ...] = ()
    preset: str = ""  # fields the core's words already fill ("intros help": command: intros)
    alone: bool = False  # only before punctuation: "intros (your latest)", not "intros foo"
    # Only with its first field: "schedule #team …" is add, "schedule foo" no row's (other rows
    # begin with "schedule" too, and a sub-command newer than the table must not read as add).
    strict: bool = False


def _forms() -> list[Form]:
    forms: dict[tuple[str, ...], Form] = {}
    for group, (_, subs) in GROUPS.items():
        for sub in subs:
            parts = sub.template.split()
            words = tuple(p for p in parts if not p.startswith("{"))
            by_name = {o.name: o for o in sub.options}
            ordered = tuple(by_name[p.strip("{}")] for p in parts if p.startswith("{"))
            forms.setdefault(words, Form(words, f"/{group} {sub.name}", ordered))
            if sub.alone is not None:
                alone = tuple(sub.alone.split())
                forms.setdefault(alone, Form(alone, f"/{group} {sub.name}", alone=True))
    mine, helped = forms[("intros", "mine")], forms[("help",)]
    extra = [
        Form(("who",), "/whoknows", (Option("topic", ""),)),
        Form(("intros",), mine.command, alone=True),
        Form(("intros", "help"), helped.command, preset=" command: intros"),
        Form((), f"/{NARRATE}", (Option("text", ""),)),
    ]
    for form in extra:
        forms.setdefault(form.words, form)
    begun = {words[:n] for words in forms for n in range(1, len(words))}
    for words, form in forms.items():
        if words in begun and form.options:
            forms[words] = replace(form, strict=True)
    # The longest words first: "schedule list" before "schedule <channel> <when>".
    return sorted(forms.values(), key=lambda f: -len(f.words))


def _pattern(form: Form) -> re.Pattern[str]:
    after = r"(?= *(?:$|[^\w\s]))" if form.alone else r"(?![\w\-'’])"
    return re.compile("".join(f" +{re.escape(w)}" for w in form.words) + after)


_FORMS = [(_pattern(form), form) for form in _forms()]


def _value(option: Option, text: str, at: int, *, last: bool) -> re.Match[str] | None:
    """The field's value at ``at`` (after one space), or ``None`` when none is there."""
    shape = _TYPED.get(option.name)
    placeholder = rf"{_PLACEHOLDER}(?: {_PLACEHOLDER})*" if last else _PLACEHOLDER
    pattern = f"{placeholder}|{shape}" if shape is not None else placeholder
    found = re.compile(rf" +(?P<v>{pattern}){_END}").match(text, at)
    if found is not None or shape is not None or not last:
        return found
    # Free text, the last field: labelled where it starts, its words left as they are.
    word = re.compile(r" +(?P<v>(?P<w>[\w@#][^\s,.;:!?()]*))").match(text, at)
    if word is None or word.group("w").lower() in _PROSE or text.startswith(":", word.end()):
        return None  # prose, or a field already named ("/narrate text: …")
    return re.compile(r" +(?P<v>)").match(text, at)


def _rewrite(text: str, at: int) -> tuple[str, int] | None:
    """The Discord wording of the command at ``at`` and where the core's words for it end."""
    start = at + len(NARRATE) + 1
    for pattern, form in _FORMS:
        named = pattern.match(text, start)
        if named is None:
            continue
        end, out = named.end(), form.command + form.preset
        for index, option in enumerate(form.options):
            value = _value(option, text, end, last=index == len(form.options) - 1)
            if value is None:
                break
            end, out = value.end(), f"{out} {option.name}: {value.group('v')}"
        if form.strict and end == named.end():
            continue  # "schedule foo": not this row; /narrate's text reaches the core as is
        if form.words or out != form.command:  # "/narrate" alone, or before prose: as it is
            return out, end
    return None


def discord_text(text: str) -> str:
    """``text`` with every ``/narrate <sub-command>`` of the core's own named as on Discord."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    out: list[str] = []
    done = 0
    for found in _COMMAND.finditer(text):
        at = found.start()
        if at < done or any(a <= at < b for a, b in quoted):
            continue
        rewritten = _rewrite(text, at)
        if rewritten is None:
            continue
        out += [text[done:at], rewritten[0]]
        done = rewritten[1]
    return "".join([*out, text[done:]])
