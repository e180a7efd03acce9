"""People's text, cleaned once where it enters the bot (narrations, edits, teams, questions,
display names), so nothing invisible can be stored or turn an answer's line around."""

from __future__ import annotations

import re
import unicodedata

from .words import MARKUP

# Text people write, cleaned once where it enters (``clean_text``). Bidirectional controls
# (embeddings, overrides, isolates, marks) are invisible yet turn the rest of a line around: one
# in a narration would reverse an answer's evidence. Control characters other than tab and new
# line are invisible too, and PostgreSQL refuses NUL. ``DROPPED`` is public so an adapter can
# drop the same characters before it judges what a typed "<" opens: "<\u200e@U2>" judged as
# typed, then cleaned here, was a live "<@U2>".
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r")
DROPPED = str.maketrans(dict.fromkeys(_BIDI_CONTROLS + _CONTROLS))
_SURROGATE = re.compile("[\ud800-\udfff]")
# Letters that draw nothing (Hangul fillers, the blank Braille pattern), and edges to trim.
_FILLERS = "\u115f\u1160\u3164\uffa0\u2800"
_EDGES = " \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
_EDGES += "\u200a\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff" + _FILLERS
# Unicode categories that draw nothing on their own: separators, controls, format characters,
# surrogates, unassigned code points, combining marks.
_UNSEEN = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Cn", "Mn", "Me"}


def clean_text(text: str) -> str:
    """People's text as the bot keeps and shows it; ``""`` when nothing visible is left.

    Drops bidirectional controls and control characters (keeping tab and new line), replaces a
    lone surrogate (JSON can carry one; no database can store it) with U+FFFD, and trims blank
    edges. Zero-width joiners and other format characters inside the text stay: emoji
    sequences and some scripts need them. Text with no visible character (only U+200B, say) is
    empty, so it is asked for again instead of stored.
    """
    if _SURROGATE.search(text):
        # UTF-16 pairs the surrogates that belong together and replaces the lone ones.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = text.translate(DROPPED).strip(_EDGES)
    if not any(unicodedata.category(ch) not in _UNSEEN and ch not in _FILLERS for ch in text):
        return ""
    return text


# Platform syntax inside people's text: Slack's ``<@U1>``, ``<#C1|general>``, ``<!here>`` and
# links ``<https://…|docs>``, Discord's ``<@123>``, ``<#123>`` and ``<@&role>``; and broadcasts
# typed plainly (``@here``, ``@channel``, ``@everyone``). One definition, so a question, an open
# question's post and the topics of a narration agree on what markup is.
_MENTIONS = re.compile(r"<[@#!][^>]*>")
_BROADCASTS = re.compile(r"(?<!\w)@(?:here|channel|everyone)\b", re.I)
_BROADCAST_AT = re.compile(r"@+(?=(?:here|channel|everyone)\b)", re.I)
# A plain "@name" (the console's mentions; typed names elsewhere), but not a scoped package
# ("@types/node") or an address ("ops@example.com").
_PLAIN_NAMES = re.compile(r"(?<![\w@/])@[A-Za-z][\w.\-]*(?![\w/@])")
_LINKS = re.compile(r"\b(?:https?|ftp)://\S+", re.I)


def without_mentions(text: str, *, keep_broadcast_words: bool = False) -> str:
    """Text with its mentions removed (each leaves a space), so echoing it pings nobody:
    platform markup and plain "@name" alike.

    A plain broadcast goes too; with ``keep_broadcast_words`` only its "@"s do ("ask here"
    still reads as written in a post, and can't ping anyone).
    """
    text = _MENTIONS.sub(" ", text)
    text = _BROADCAST_AT.sub("", text) if keep_broadcast_words else _BROADCASTS.sub(" ", text)
    return _PLAIN_NAMES.sub(" ", text)


def without_markup(text: str) -> str:
    """Text with every platform markup (mentions, channels, formatted links) and bare link
    removed: none of it says what the text is about. Markup is what ``words.markup_opening``
    reads as markup (``words.MARKUP``: a sigil or a scheme after the "<"), as the adapters
    judge it: "rolled out the <beta> flag" keeps "beta", as it was typed."""
    return _LINKS.sub(" ", MARKUP.sub(" ", text))
