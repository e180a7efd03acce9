"""Whether a narration asks for help or reports a blocker, and what about: "stuck on the kafka
consumer rebalancing", "anyone know how autovacuum thresholds work?".

English only, and deliberately conservative: a narration is kept whatever this says, and a miss
costs only a suggestion, while a false alarm puts names under an ordinary update. An ask is
recognized by a few explained cues:

- "stuck on/with X", "blocked on/by X", "need help with X", "can't figure out X": X is the
  topic, up to the end of its clause;
- "anyone know X", "does anyone …", "has anybody used X": a question to colleagues;
- "how do I X?": only in a sentence that ends with "?";
- any other sentence ending with "?", when it is the narration's last sentence (courtesy such as
  "thanks!" may follow): "What did I do today? Reviewed PRs" answers itself, and
  "what did I do today?" or "guess what?" ask nobody.

Mentions and links are left out of the topic: it is echoed to the author and searched.

A cue in a clause that says it is over or never was ("was stuck on", "no longer blocked",
"stuck on X but fixed it") is not an ask. A topic without a word worth searching for ("stuck on
it for hours") is not one either: there would be nobody to point to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean_text import without_markup, without_mentions
from .topics import extract_topics

# Long enough for "the kafka consumer group rebalancing on every deploy"; a topic is echoed in
# the reply and run as a who-knows search, and "/narrate who knows <topic>" must reproduce it.
MAX_TOPIC = 80


@dataclass(frozen=True)
class Ask:
    """A recognized ask: ``topic`` (as written, searched as a who-knows question) and ``echo``,
    the line that says it back ("Stuck on postgres vacuum tuning?")."""

    topic: str
    echo: str


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
# What a removed mention leaves of "@bob's review": "'s review".
_ORPHAN_POSSESSIVE = re.compile(r"(?<![\w'])'s\b")

# Where a clause ends: the topic is what follows a cue up to here. A dot, "?" or "!" ends one
# only before a space or the end, so "asp.net" and "v1.2" stay whole.
_CLAUSE_END = re.compile(r"[.!?](?=\s|$)|[,;:()\n—–]|\s-\s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

# The cues, each with how the reply says the topic back. ``pre`` is the clause before the cue.
_STUCK = re.compile(r"\bstuck\s+(?:on|with)\s+", re.I)
_BLOCKED = re.compile(r"\bblocked\s+(?P<by>on|by)\s+", re.I)
_HELP = re.compile(
    r"\bneed(?:s|ed)?\s+(?:some\s+|a\s+little\s+|a\s+hand\s+)?help\s+(?:with|on)\s+", re.I
)
_FIGURE = re.compile(
    r"\b(?:can't|cannot|can\s+not|couldn't|unable\s+to)\s+(?:figure|work)\s+out\s+", re.I
)
_SOMEONE = r"(?:any(?:one|body)|(?:does|do|can|could|would|has|have|is)\s+some(?:one|body))"
_ANYONE = re.compile(
    r"\b(?:(?:does|do|can|could|would|has|have|is|did)\s+)?"
    + _SOMEONE
    + r"(?:\s+(?:here|around|else))?\s+"
    r"(?:know|knows|familiar|have|has|had|seen|tried|used|got|understand|remember|done|dealt)\b"
    r"(?:\s+(?:any\s+)?(?:experience|ideas?|anything|much|a\s+way))?"
    r"(?:\s+(?:with|about|of|on|in|for|to))?\s*",
    re.I,
)
_DOES_ANYONE = re.compile(r"\b(?:does|do|can|could|would|has|is)\s+any(?:one|body)\b\s*", re.I)
_HOW_DO_I = re.compile(r"\bhow\s+(?:do|can|should|would|could)\s+(?:i|we|one)\s+", re.I)

# Words before a cue, in its clause, that say the blocker is over or never was.
_OVER_BEFORE = re.compile(
    r"\b(?:not|no|never|was|were|wasn't|weren't|isn't|aren't|don't|doesn't|didn't|"
    r"longer|finally|used\s+to)\b",
    re.I,
)
# Words after a cue, in its sentence, that say it was solved.
_SOLVED_AFTER = re.compile(
    r"\b(?:fixed|solved|resolved|sorted|figured|unblocked|unstuck|worked\s+around|"
    r"works\s+now|got\s+it\s+working)\b",
    re.I,
)
# Trailing courtesy after a topic: "any ideas", "help appreciated", "thanks", "please".
_COURTESY_TAIL = re.compile(
    r"\s+(?:any\s+(?:help|ideas?|pointers?|tips?|advice|hints?)|(?:all\s+)?help\s+"
    r"(?:appreciated|welcome)|please|pls|plz|thanks|thx|ty|cheers|help)\b.*$",
    re.I,
)
# What may follow a question and still leave it the narration's last word.
_COURTESY_SENTENCE = re.compile(
    r"^\W*(?:(?:many\s+)?thanks?(?:\s+(?:you|all|in\s+advance))?|thx|ty|cheers|please|pls|"
    r"(?:any\s+)?help\s+(?:appreciated|welcome)|appreciated)?\W*$",
    re.I,
)
# Questions that ask nobody: to oneself about one's own day, or figures of speech.
_RHETORICAL = re.compile(
    r"^\W*(?:so\s+|and\s+|well\s+)?(?:"
    r"(?:what|why|how|where|when|who)\s+(?:did|have|had|was|were|am)\s+(?:i|we)\b"
    r"|(?:what|how)(?:'s|\s+is|\s+was)?\s+(?:next|new|up)\W*$"
    r"|(?:guess\s+what|who\s+knew|why\s+not|right|you\s+know\s+what|what\s+else|how\s+come"
    r"|what\s+now|ready|anyone|anybody|thoughts|ideas)\W*$"
    r")",
    re.I,
)


def find_ask(text: str) -> Ask | None:
    """The narration's first ask with a searchable topic, or ``None`` (the usual case)."""
    # Echoed in the reply and searched: mentions and links are no topic, and must ping nobody.
    text = without_mentions(without_markup(text), keep_broadcast_words=True)
    text = _ORPHAN_POSSESSIVE.sub(" ", text.translate(_APOSTROPHES))
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    for index, sentence in enumerate(sentences):
        if (found := _cued(sentence)) is not None:
            return found
        rest = sentences[index + 1 :]
        if sentence.endswith("?") and all(_COURTESY_SENTENCE.match(s) for s in rest):
            return _question(sentence)
    return None


def _cued(sentence: str) -> Ask | None:
    cues: list[tuple[int, Ask | None]] = []
    for match in _STUCK.finditer(sentence):
        cues.append((match.start(), _said(sentence, match, "Stuck on")))
    for match in _BLOCKED.finditer(sentence):
        cues.append((match.start(), _said(sentence, match, f"Blocked {match.group('by')}")))
    for match in _HELP.finditer(sentence):
        cues.append((match.start(), _said(sentence, match, "Need help with")))
    for match in _FIGURE.finditer(sentence):
        cues.append((match.start(), _said(sentence, match, "Trying to figure out")))
    for match in _ANYONE.finditer(sentence):
        cues.append((match.start(), _said(sentence, match, "Asking about")))
    for match in _DOES_ANYONE.finditer(sentence):
        cues.append((match.start(), _said(sentence, match, "Asking about")))
    if sentence.endswith("?"):
        for match in _HOW_DO_I.finditer(sentence):
            cues.append((match.start(), _said(sentence, match, "Asking how to")))
    for _, ask in sorted(cues, key=lambda cue: cue[0]):
        if ask is not None:
            return ask
    return None


def _said(sentence: str, match: re.Match[str], lead: str) -> Ask | None:
    """The ask a cue makes, when its clause says the blocker is current and names a topic."""
    clause_start = max(
        (m.end() for m in _CLAUSE_END.finditer(sentence, 0, match.start())), default=0
    )
    if _OVER_BEFORE.search(sentence, clause_start, match.start()):
        return None
    if _SOLVED_AFTER.search(sentence, match.end()):
        return None
    end = _CLAUSE_END.search(sentence, match.end())
    topic = _topic(sentence[match.end() : end.start() if end else len(sentence)])
    if topic is None:
        return None
    return Ask(topic=topic, echo=f"{lead} {topic}?")


def _question(sentence: str) -> Ask | None:
    """A sentence ending with "?" and no cue: the whole of it asks, unless rhetorical."""
    if _RHETORICAL.match(sentence):
        return None
    # "Anyone?" or "thoughts?" after a statement ask about the statement, which has no cue here
    # to say what it is about: nothing to search.
    topic = _topic(sentence)
    if topic is None:
        return None
    return Ask(topic=topic, echo=f"Asking “{topic}?”")


def _topic(words: str) -> str | None:
    topic = _COURTESY_TAIL.sub("", " ".join(words.split())).strip(" ?!.,;:\"'“”‘’")
    if len(topic) > MAX_TOPIC:
        topic = topic[:MAX_TOPIC].rsplit(" ", 1)[0].rstrip(" ,;:")
    # A topic worth a search names a thing (see ``topics``): "it", "this for hours" or
    # "the same thing again" would point at whoever narrates the most.
    if not topic or not extract_topics(topic):
        return None
    return topic
