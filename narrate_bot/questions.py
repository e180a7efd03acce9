"""How people ask "who knows about X?": a small grammar, and what to say when X can't be searched.

A question is an optional greeting, an *opener* naming who is sought ("who", "does anyone here",
"who should I ask"), a *predicate* saying what they should have ("knows", "is the expert",
"is familiar", "can help"), an optional link word ("about", "with"…) and the topic. "Who's our
kafka expert?" names the topic inside the predicate and has its own rule. Everything else is not
a question: a narration that merely starts with "who" ("who knew the deploy would break, fixed
it") or mentions helping ("helped bob with kafka") stays work worth keeping.

The topic ends at the first "?" (what follows is context or thanks, never the topic), trailing
courtesy ("thanks!", "any help appreciated", 🙏) is dropped, and links, platform markup and
mentions are removed: none of them is what the question is about, and echoing them could ping
people or show a raw ``<https://…|label>``.
"""

from __future__ import annotations

import re
import unicodedata

from .knowledge.clean_text import clean_text, without_mentions
from .knowledge.words import search_terms, without_links, words

_BOT_ADDRESS = re.compile(r"^\s*(?:<@[\w.\-|]+>|@narrate(?:-bot)?\b)[\s,:]*", re.I)
# Questions only: the mention may follow a greeting ("hey @narrate who knows…", as people write
# it). Never stripped from a narration: "hey <@bob> thanks, the fix worked" keeps its words.
_GREETED_ADDRESS = re.compile(
    r"^\s*(?:hey|hi|hello|yo|ok|okay)[\s,!]+(?:<@[\w.\-|]+>|@narrate(?:-bot)?\b)[\s,:]*", re.I
)

# ---------------------------------------------------------------------------------- the grammar

_GREETING = (
    r"(?:(?:hey|hi|hello|so|ok|okay|please|pls)\b"
    r"(?:\s+(?:all|team|folks|everyone|there))?[\s,:!.-]*)?"
)
_SOMEONE = r"(?:any(?:one|body)|some(?:one|body))"
_WHERE = r"(?:\s+(?:here|around|else|in\s+here|on\s+here|out\s+there))?"
# Who is sought. "someone"/"somebody" need a question word before them ("does somebody know"):
# without one, "someone working on kafka broke prod" is an update, not a question.
_ASKING = r"(?:does|do|is|are|can|could|would|will)\s+"
_OPENER = "|".join(
    (
        r"who(?:'s|\s+is|\s+are)?" + _WHERE,
        _ASKING + r"any(?:one|body)" + _WHERE + r"(?:\s+who)?",
        # A bare "anyone …" asks only as "anyone know …" or with a "?" (see parse_question).
        r"(?P<bare>any(?:one|body))" + _WHERE + r"(?:\s+who)?",
        _ASKING + _SOMEONE + _WHERE + r"(?:\s+who)?",
    )
)
# What they should have. "knew" is deliberately absent: "who knew …" is an exclamation.
_PREDICATE = (
    r"(?:(?P<know>knows?)(?:\s+(?:anything|something|much|a\s+lot|a\s+thing|a\s+bit|stuff))?"
    r"|(?:(?:is|are)\s+)?(?:knowledgeable|familiar|experienced|(?:well[\s-]+)?versed)"
    r"|(?:(?:the|an?|our|any|some)\s+)?(?:experts?|gurus?|go-?to(?:\s+(?:person|people))?)"
    r"|(?:(?:has|have|had)\s+)?(?:any\s+)?(?:worked|experience|used)|working"
    r"|(?:(?:can|could)\s+)?help(?:\s+(?:me|us|out))?)"
)
# Asking whom to ask: the opener and predicate in one ("who should I ask about SSO").
_ASK_WHOM = (
    r"who\s+(?:should|can|could|do|would|shall)\s+(?:i|we)\s+"
    r"(?:ask|talk\s+to|speak\s+to|go\s+to|ping|reach\s+out\s+to)"
)
_LINK = r"(?:\s+(?:about|on|with|in|of|regarding|around|for))?"
_QUESTION = re.compile(
    r"^\s*"
    + _GREETING
    + r"(?:(?:"
    + _OPENER
    + r")\s+"
    + _PREDICATE
    + r"|"
    + _ASK_WHOM
    + r")"
    + _LINK
    + r"\s+(?P<topic>\S.*)$",
    re.I | re.S,
)
# "Who's our kafka expert?" ("who is the go-to person for billing" is the rule above).
_NAMED_EXPERT = re.compile(
    r"^\s*" + _GREETING + r"who(?:'s|\s+is|\s+are)\s+(?:our|the|your)\s+(?P<topic>[^?]+?)\s+"
    r"(?:experts?|gurus?|go-?to\s+(?:person|people))\s*(?:\?.*)?$",
    re.I | re.S,
)

# Thanks and pleas after the topic ("kafka, any help appreciated", "kafka thanks in advance 🙏").
_COURTESY = re.compile(
    r"[\s,;:.!–—-]*\b(?:(?:any|all|your)\s+help\s+(?:is\s+|would\s+be\s+)?"
    r"(?:much\s+|greatly\s+|really\s+|very\s+much\s+)?appreciated"
    r"|(?:much\s+|greatly\s+)?appreciated"
    r"|thanks?(?:\s+(?:a\s+lot|so\s+much|in\s+advance|all|everyone|folks|team|you))*"
    r"|thank\s+you(?:\s+(?:so\s+much|in\s+advance|all))?"
    r"|thx|tia|ty|cheers|please|pls|plz)\W*$",
    re.I,
)
# What a topic never ends with: quotes, sentence ends, and the separators courtesy leaves behind.
_TRAILING = " \t\n?!.,;:–—-\"'`“”‘’"
_LEADING = " \t\n\"'`“”‘’"
# Apostrophes phones and Slack type for "'" ("who’s"): the wording must not depend on the keyboard.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})
# One person named as the topic: "who knows about @bob?" asks about a person, not a topic.
_ONE_PERSON = re.compile(
    r"^(?:<@[\w.\-]+(?:\|[^>]*)?>|@(?!(?:here|channel|everyone)$)[A-Za-z][\w.\-]{0,63})$", re.I
)


def strip_bot_address(text: str) -> str:
    return _BOT_ADDRESS.sub("", text, count=1)


def parse_question(text: str) -> str | None:
    """The topic of a "who knows about X?" question, or ``None`` when the text isn't one.

    A recognised question always gives a string, even ``""`` when nothing searchable is left
    (only a link, only "@here"), so it is answered and never kept as a narration; a lone person
    mention is kept as typed for ``about_person``.
    """
    text = strip_bot_address(clean_text(text))
    text = _GREETED_ADDRESS.sub("", text, count=1).translate(_APOSTROPHES)
    if match := _NAMED_EXPERT.match(text):
        return topic_of(match.group("topic"))
    if match := _QUESTION.match(text):
        if match.group("bare") and not match.group("know") and "?" not in text:
            # "anyone used to the old deploy flow should read my runbook" is an update: with no
            # question word, only "anyone know …" or a question mark says it asks.
            return None
        return topic_of(match.group("topic"), question=True)
    return None


def topic_of(text: str, *, question: bool = False) -> str:
    """What a question is about, readable and safe to echo.

    With ``question`` (a question form was recognised) the topic ends at the first "?": what
    follows is context ("I'm stuck, see …") or thanks, never more topic.
    """
    text = without_links(text)
    if question:
        text = text.partition("?")[0]
    text = " ".join(text.split())
    if _ONE_PERSON.match(text.strip(_TRAILING)):
        return text.strip(_TRAILING)
    text = " ".join(without_mentions(text).split())
    while True:
        shorter = _without_trailing_symbols(_COURTESY.sub("", text)).rstrip(_TRAILING)
        if shorter == text or not shorter.strip(_LEADING):
            break  # nothing but "thanks" left is no courtesy: "who knows about ty?" asks about ty
        text = shorter
    return text.lstrip(_LEADING)


def _without_trailing_symbols(text: str) -> str:
    """Emoji and their modifiers at the end ("kafka 🙏🏽"); "C++" and "C#" keep their symbols."""
    end = len(text)
    while end and (
        unicodedata.category(text[end - 1]) in ("So", "Sk", "Cf", "Mn", "Me")
        or text[end - 1] == " "
    ):
        end -= 1
    return text[:end]


def about_person(topic: str) -> str | None:
    """The person a question names instead of a topic ("who knows about @bob?"), as typed."""
    return topic if _ONE_PERSON.match(topic) else None


# ------------------------------------------------------------------------ topics we can't search


def unsearchable(topic: str) -> str | None:
    """What to say when ``topic`` gives nothing to search for; ``None`` when it does.

    The same reply for ``who`` and ``ask-channel``: a question nobody could search for would
    be no clearer to the people in the open-questions channel.
    """
    if (person := about_person(topic)) is not None:
        return (
            "I answer who knows about a topic, not about a person. To see what "
            f"{person} narrates about: /narrate profile {person}"
        )
    if search_terms(topic):
        return None
    found = words(topic)
    if found and all(w.isdigit() for w in found):
        return (
            f"I can't search for a number on its own (“{topic}”): add what it's a number of, "
            f"like who knows about kafka {topic}?"
        )
    return (
        "Who knows about what? Name the topic in words (links, mentions and little words like "
        "“it” can't be searched). Ask me like this: who knows about kafka?"
    )
