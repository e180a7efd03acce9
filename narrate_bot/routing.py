"""What a person meant: parsed once, here, for every platform.

``/narrate …`` becomes a ``Command``; a plain message to the bot becomes a who-knows question or
nothing. Adapters never interpret wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NARRATE = "narrate"

_BOT_ADDRESS = re.compile(r"^\s*(?:<@[\w.\-|]+>|@narrate(?:-bot)?\b)[\s,:]*", re.I)
_QUESTION = re.compile(
    r"^\s*(?:hey[\s,]+|hi[\s,]+|so[\s,]+)?"
    r"(?:who(?:'s| is| are)?\s+(?:knows?|knowledgeable|(?:an\s+)?experts?|familiar|"
    r"has\s+(?:worked|experience)|(?:has\s+)?worked|working|can\s+help(?:\s+me)?)"
    r"|(?:does\s+)?any(?:one|body)\s+(?:know|knows|familiar|worked|working|can\s+help(?:\s+me)?)"
    r"|who\s+should\s+i\s+ask)"
    r"(?:\s+(?:anything|something|much|a\s+lot))?"
    r"(?:\s+(?:about|on|with|in|of|regarding))?\s+(?P<topic>.+?)\s*[?!.]*\s*$",
    re.I | re.S,
)
_ORDINAL = re.compile(r"^#?(\d{1,9})$")


@dataclass(frozen=True)
class Command:
    """A parsed ``/narrate`` invocation: ``action`` names the feature, ``arg`` its argument."""

    action: str
    arg: str = ""
    ordinal: int | None = None
    hint: str | None = None


# Sub-commands that take no argument: only a command when they stand alone.
_BARE = {
    "help": "help",
    "join": "join",
    "mine": "mine",
    "leave": "leave",
    "resume": "resume",
    "export": "export",
    "forget-me": "forget",
    "forgetme": "forget",
    "topics": "topics",
}
_NEEDS_ID = {"edit", "delete", "share", "unshare"}
# Sub-commands whose argument may be empty (each answers an empty one itself).
_WITH_ARG = {
    "ask-me-about": "ask_me_about",
    "hide-me": "hide_me",
    "unhide-me": "unhide_me",
    "profile": "profile",
    "ask-channel": "ask_channel",
    "questions-channel": "questions_channel",
}


def strip_bot_address(text: str) -> str:
    return _BOT_ADDRESS.sub("", text, count=1)


def parse_question(text: str) -> str | None:
    """The topic of a "who knows about X?" question, or ``None`` when it isn't one."""
    match = _QUESTION.match(strip_bot_address(text))
    if not match:
        return None
    topic = match.group("topic").strip(" \t\n\"'`“”")
    return topic or None


def parse_command(text: str) -> Command:
    body = text.strip()
    if not body:
        return Command("ask_text")
    head, _, rest = body.partition(" ")
    word = head.lower()
    rest = rest.strip()
    if word in _BARE and not rest:
        return Command(_BARE[word])
    if word in ("forget-me", "forgetme") and rest.lower() in ("confirm", "yes"):
        return Command("forget_confirm")
    if word in _NEEDS_ID:
        id_text, _, tail = rest.partition(" ")
        match = _ORDINAL.match(id_text)
        if match:
            return Command(word, arg=tail.strip(), ordinal=int(match.group(1)))
        return Command(
            "narrate",
            arg=body,
            hint=f"If you meant to {word} a narration, use /narrate {word} <id> "
            "(/narrate mine lists the ids).",
        )
    if word == "pause":
        return Command("pause", arg=rest)
    if word == "team":
        return Command("team", arg=rest)
    if word in ("timezone", "tz"):
        return Command("timezone", arg=rest)
    if word in _WITH_ARG:
        return Command(_WITH_ARG[word], arg=rest)
    if word == "who":
        question = parse_question(body)
        topic = (
            question
            if question is not None
            else re.sub(r"^(?:knows?\s+)?(?:about\s+)?", "", rest, flags=re.I).strip(" ?")
        )
        return Command("who", arg=topic)
    return Command("narrate", arg=body)
