"""Short asks about one's own narrations or data: command attempts, never narrations.

"list my narrations", "export my data", "delete the old one", "edit the last one", "cancel
that": nobody narrates work like that, yet these didn't open with a command's own arguments (a
number) and were kept, published to the channel and found by "who knows" as if they were work.
The whole text must be a verb and what it acts on, naming a narration ("my last note", "the
old one", "that") or the person's data ("my data", "my account"); any more words ("export my
data to the new warehouse took all day") make it a sentence, kept as usual. Routing answers an
attempt with the hint returned here and keeps nothing (with the "Keep as a narration" offer).
"""

from __future__ import annotations

import re

from .knowledge.clean_text import clean_text

_ONE_OF_YOURS = "/narrate mine lists them with numbers, then"
MINE_HINT = (
    "To see yours: /narrate mine lists your narrations with their numbers "
    "(/narrate mine <words> searches them)."
)
EXPORT_HINT = "If you meant your data: /narrate export, alone, sends everything I store about you."
DELETE_HINT = f"To delete one: {_ONE_OF_YOURS} /narrate delete <number>."
FORGET_HINT = (
    "To erase everything I store about you: /narrate forget-me (it asks you to confirm). "
    f"{DELETE_HINT}"
)
EDIT_HINT = f"To edit one: {_ONE_OF_YOURS} /narrate edit <number> <new text>."
SHARE_HINT = f"To share one: {_ONE_OF_YOURS} /narrate share <number>."
UNSHARE_HINT = f"To unshare one: {_ONE_OF_YOURS} /narrate unshare <number>."
# "cancel", "undo that": whatever was just done. A forget-me not confirmed lapses by itself.
CANCEL_HINT = (
    f"{DELETE_HINT} /narrate resume ends a pause; /narrate remind off stops your reminder."
)
PROFILE_HINT = "/narrate profile shows what you narrate about; /narrate mine lists your narrations."

# What each verb does, by kind.
_VERBS = {
    **dict.fromkeys(("list", "show", "view", "see", "display", "get"), "view"),
    **dict.fromkeys(("export", "download", "dump"), "export"),
    **dict.fromkeys(
        (
            "delete", "remove", "erase", "wipe", "clear", "undo", "cancel", "retract",
            "forget", "drop", "scrap", "discard", "unsend",
        ),
        "delete",
    ),
    **dict.fromkeys(
        ("edit", "change", "correct", "amend", "reword", "rewrite", "fix", "update", "modify"),
        "edit",
    ),
    "share": "share",
    "unshare": "unshare",
}  # fmt: skip
# Everyday work verbs ("fix it", "update the notes", "clear the old one" may be a to-do): an
# attempt only when they name a narration of one's own ("update my last note").
_WORK_VERBS = frozenset({"fix", "update", "change", "clear", "drop"})
_POLITE = {"please", "pls", "plz"}
# Words for a narration. "narration" is the bot's own word: "my kafka narrations" names them
# whatever comes between; the everyday ones ("the release notes") only with the modifiers
# below, and after "the", "that"… only with one ("the last update", never "the update").
_NARRATION = re.compile(r"narrations?")
_EVERYDAY = re.compile(r"notes?|updates?|ones?")
# Only after "my": "delete the old posts" may be work on a forum.
_MY_EVERYDAY = re.compile(r"entry|entries|posts?|messages?")
_MODIFIERS = frozenset(
    {
        "last", "latest", "previous", "recent", "most", "old", "older", "oldest", "earlier",
        "first", "newest", "new", "wrong", "bad", "duplicate", "other", "own", "private",
        "shared",
    }
)  # fmt: skip
_NUMBER = re.compile(r"\d{1,3}")
_POINTERS = frozenset({"the", "that", "this", "those", "these"})
# What the person is, stored: only "my …" ("delete the data" may be work on a table).
_DATA = frozenset(
    {"data", "account", "info", "information", "history", "stuff", "records", "profile"}
)
# Pointing back at what was just said or kept: "undo that", "delete it", "edit this one".
_PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these"})
_EVERYTHING = frozenset({"everything", "all", "all of it", "all of them"})
# The person themselves: "forget me", "delete me".
_ME = frozenset({"me", "about me", "all about me", "everything about me"})


def own_attempt_hint(body: str) -> str | None:
    """The hint for ``body`` when all of it asks to act on one's own narrations or data, else
    ``None`` (a narration, or some other command: routing decides)."""
    text = clean_text(body).lower().rstrip(".!?").strip()
    words = text.split()
    while words and words[0] in _POLITE:
        words = words[1:]
    while words and words[-1] in _POLITE:
        words = words[:-1]
    if not words or words[0] not in _VERBS:
        return None
    kind = _VERBS[words[0]]
    rest = words[1:]
    if rest[:1] == ["me"] and kind in ("view", "export"):
        rest = rest[1:]  # "show me my notes", "export me my data"
    if not rest:
        return CANCEL_HINT if words[0] == "cancel" else None
    said = " ".join(rest)
    if said in _EVERYTHING:
        return None if words[0] in _WORK_VERBS else _data_hint(kind)
    if said in _ME:
        return FORGET_HINT if kind == "delete" else None
    if _is_pointer(rest):
        if words[0] in ("cancel", "undo"):
            return CANCEL_HINT
        plain = kind not in ("view", "export") and words[0] not in _WORK_VERBS
        return _narration_hint(kind) if plain else None
    every = rest[0] == "all"
    target = rest[2:] if rest[:2] == ["all", "of"] else rest[1:] if every else rest
    noun = _object(target)
    if noun is None:
        return None
    if words[0] in _WORK_VERBS and not (target[0] == "my" and noun not in ("one", "ones")):
        return None
    if noun == "profile":
        return {"view": PROFILE_HINT, "delete": FORGET_HINT}.get(kind)
    if noun in _DATA or (every and kind == "delete"):
        return _data_hint(kind)
    return _narration_hint(kind)


def _is_pointer(rest: list[str]) -> bool:
    """``it``, ``that``, ``that one``, ``this one``."""
    if len(rest) == 1:
        return rest[0] in _PRONOUNS
    return len(rest) == 2 and rest[0] in ("that", "this") and rest[1] == "one"


def _object(rest: list[str]) -> str | None:
    """The noun of ``my|the|that… [modifiers] noun``, when it names a narration or (after
    "my") the person's data; ``None`` for anything else."""
    if len(rest) < 2 or (rest[0] != "my" and rest[0] not in _POINTERS):
        return None
    owner, *between, noun = rest
    mine = owner == "my"
    if len(between) > 2:
        return None
    if noun in _DATA:
        return noun if mine and not between else None
    if _NARRATION.fullmatch(noun):
        return noun if mine or _plain(between) else None
    if noun in ("one", "ones") and between and (_plain(between[:-1]) or _plain(between[1:])):
        # "the kafka one", "the old kafka one": one word naming which, like a modifier.
        return noun
    if _EVERYDAY.fullmatch(noun) or (mine and _MY_EVERYDAY.fullmatch(noun)):
        # "the last update", "the old one"; "share the update" may be work ("share the doc").
        return noun if _plain(between) and (mine or between) else None
    return None


def _plain(between: list[str]) -> bool:
    return all(word in _MODIFIERS or _NUMBER.fullmatch(word) for word in between)


def _data_hint(kind: str) -> str | None:
    return {"view": EXPORT_HINT, "export": EXPORT_HINT, "delete": FORGET_HINT}.get(kind)


def _narration_hint(kind: str) -> str:
    return {
        "view": MINE_HINT,
        "export": EXPORT_HINT,
        "delete": DELETE_HINT,
        "edit": EDIT_HINT,
        "share": SHARE_HINT,
        "unshare": UNSHARE_HINT,
    }[kind]
