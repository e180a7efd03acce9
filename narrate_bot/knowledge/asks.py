"""Whether a narration asks for help or reports a blocker, and what about: "stuck on the kafka
consumer rebalancing", "anyone know how autovacuum thresholds work?".

English only, and deliberately conservative: a narration is kept whatever this says, and a miss
costs only a suggestion, while a false alarm puts names under an ordinary update. An ask is
recognized by a few explained cues:

- "stuck on/with X", "blocked on/by X", "need help with X", "can't figure out X": X is the
  topic, up to the end of its clause;
- "anyone know X", "does anyone (else) know X", "has anybody used X": a question to colleagues
  ("does anyone else hate helm?" asks for agreement, not help);
- "how do I X?": only in a sentence that ends with "?";
- a question that seeks a fact ("why does the ledger export time out?", "is there a way to
  …?", "which datasource should we use …?"), when it is the narration's last sentence
  (courtesy such as "thanks!" may follow): "What did I do today? Reviewed PRs" answers itself.
  Chat that merely ends with "?" asks nobody: "fingers crossed?", "can you believe it?",
  "not bad for a Monday, right?", "did you see the numbers?", "who wants coffee?".

A sentence that reports answering or helping ("answered a question in #help: how do I …?",
"answered: …", "helped bob with …") asks nothing. After "answered …:" everything that follows is
the question answered, whatever its shape (a post pasted whole, over several paragraphs, bullets,
"> " lines, "then she asked: …"), up to one of: a line that opens with the author's own blocker
about something else than every quoted line ("Stuck on kafka acls", "🚧 still blocked by …"); a
standup section ("Today:", "*Blockers*"); the next item of a list the "answered …" line is in
("- answered bob: …" then "- stuck on kafka acls"); after a quote on its own line, a "Q:". A
blank line or a bullet ends nothing: a false alarm names helpers under someone else's question,
a miss only costs a suggestion. After "helped …" only
the author's own blocker counts ("Helped carol with the deploy: stuck on kafka acls", not "helped
carol, she's stuck on …"). A question the narration answers later ("Q: how do we rotate the
vault tokens? A: the cron job", "Q: … We decided to use the cron job", "… We decided to rotate
the tokens by cron": after "Q:" any decision or finding, else one about its topic) asks
nothing. Mentions and links are left out of the topic: it is echoed to the author and searched.

A cue in a clause that says it is over or never was ("was stuck on", "no longer blocked",
"stuck on X but fixed it") is not an ask. A topic without a word worth searching for ("stuck on
it for hours") is not one either: there would be nobody to point to.

The work is linear in the narration's length (up to 100,000 characters): cues are read in the
order they appear and the first ask ends the search, at most ``MAX_CUES`` are weighed, and each
looks only ``WINDOW`` characters around itself.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from .clean_text import without_markup, without_mentions
from .topics import extract_topics

# Long enough for "the kafka consumer group rebalancing on every deploy"; a topic is echoed in
# the reply and run as a who-knows search, and "/narrate who <topic>" must reproduce it.
MAX_TOPIC = 80
# How many cues one narration weighs: "does anyone know " 400 times is 400 cues, each with
# nothing to search, and the narration is read on the event loop.
MAX_CUES = 8
# How far from a cue its clause, its topic and "fixed it" are looked for.
WINDOW = 4 * MAX_TOPIC


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
# What a sentence opens (``_sentences``): it goes on a line, or opens a line or a paragraph.
_SAME_LINE, _NEW_LINE, _NEW_PARAGRAPH, _NESTED_LINE = 0, 1, 2, 3
# A list item's mark: "- ", "* ", "• ", "1. ", "2) ".
_BULLET = re.compile(r"^(?:[-*+•◦‣–—]\s|\d{1,3}[.)](?:\s|$))")
# How much of a quote's text its topic words are read from: a few lines of it.
_MAX_QUOTE = 4 * WINDOW
_WORD = re.compile(r"\w")
# What may open a line before its words: spaces, marks, bullets, list numbers and emoji
# (":construction: stuck on …", "🚧 blocked by …"); Slack sends a "> " quote as "&gt; ".
_LINE_MARKS = re.compile(r"^(?:&gt;|:[\w+-]+:|\d{1,3}[.)](?=\s|$)|[^\w&])*")
_ESCAPED_QUOTE = "&gt;"
# A line that opens with the author's own blocker: "Stuck on …", "I'm still blocked by …" (read
# after its ``_LINE_MARKS``).
_OWN_STATUS = re.compile(
    r"^(?:(?:i'm|im|i\s+am|i|we're|we\s+are|we|still|now|also|and|but|then|currently|"
    r"totally|really)\s+)*(?:stuck\s+(?:on|with)|blocked\s+(?:on|by)|"
    r"need(?:s|ed)?\s+(?:some\s+|a\s+little\s+|a\s+hand\s+)?help|"
    r"(?:can't|cannot|can\s+not|couldn't|unable\s+to)\s+(?:figure|work)\s+out)\b",
    re.I,
)
# A standup section's line: "Today:", "*Blockers*", "Yesterday: shipped …" (after its marks).
_SECTION = re.compile(r"^(?:today|yesterday|blockers?|blocked)(?:[*_~\s]*(?::|$))", re.I)
# What leaves a header's colon with nothing said after it: emoji, bold, italics, spoilers.
_HEADER_MARKUP = re.compile(r":[\w+-]+:|[*_~|]")
# A list number split off as a sentence of its own: "1." of "1. answered bob: …".
_LIST_NUMBER = re.compile(r"^\d{1,3}[.)]$")

# The cues, each with how the reply says the topic back. ``pre`` is the clause before the cue.
# "Stuck with the on-call pager this week" is a chore to bear, not a problem to solve.
_STUCK = re.compile(
    r"\bstuck\s+(?:on|with(?!\s+(?:(?:the|a|an|my|our|some)\s+)?(?:on-?call|pager|rota|duty|"
    r"duties|meetings?|interviews?|paperwork|admin|chores?|cold|flu|covid|kids?)\b))\s+",
    re.I,
)
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
# "Does anyone else hate helm as much as I do?" asks for agreement: "else" only with a verb of
# knowing (``_ANYONE``).
_DOES_ANYONE = re.compile(
    r"\b(?:does|do|can|could|would|has|is)\s+any(?:one|body)\b(?!\s+else\b)\s*", re.I
)
# A word every cue has: a sentence without one is passed over at the cost of one search.
_CUE_WORD = re.compile(
    r"\b(?:stuck|blocked|need(?:s|ed)?|can't|cannot|can|couldn't|unable|any(?:one|body)|"
    r"some(?:one|body)|how)\b",
    re.I,
)
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
# A question that seeks a fact or a way, by how its clause opens: a question word, or a verb
# asking about a thing ("is there", "does the", "should we"). "Who" only asks for a person.
_SEEKS = re.compile(
    r"^(?:what|which|where|when|why|how)\b"
    r"|^(?:is|are|was|were|does|do|did|should|can|could|would|will|has|have)\s+"
    r"(?:there|the|a|an|this|that|these|those|it|its|we|i|our|my|one|any|all|each|every)\b"
    r"|^who(?:'s|\s+is)?\s+(?:owns?|maintains?|knows?|runs?|wrote|built|handles?|manages?|"
    r"responsible|should|can|could|would|do|does)\b",
    re.I,
)
# Questions that only sound like it: to the reader ("can you believe it", "did you see"), polls
# ("did anyone else notice"), tags ("…, right?", "eh?", "isn't it?") and figures of speech
# ("what could possibly go wrong", "why is everything urgent", "is it Friday yet").
_CHAT = re.compile(
    r"\b(?:you|your|you're|yours|ya|y'all|u)\b"
    r"|\bany(?:one|body)\s+else\b|\bsome(?:one|body)\s+else\b"
    r"|\b(?:everything|everyone|everybody|nothing|nobody)\b"
    r"|\b(?:possibly|seriously|honestly|really\s+need)\b|\bgo(?:es)?\s+wrong\b"
    r"|^how\s+about\b|^what\s+about\b|^how\s+come\b|^why\s+not\b"
    r"|\b(?:right|eh|no|huh|ok|okay|yeah|yet|lol|though|innit)\W*$"
    r"|\b(?:isn't|aren't|wasn't|didn't|don't|doesn't|won't)\s+(?:it|that|this|they|we|i)\W*$",
    re.I,
)
# A sentence that reports answering or helping: a question in it was someone else's.
_REPORTED = re.compile(
    r"^\W*(?:i\s+)?(?:just\s+|also\s+)?(?:answered|answering|helped|helping|replied|replying|"
    r"responded|responding|explained|explaining)\b",
    re.I,
)
# "Answered a question in #help: …", "answered: …": what follows the colon is what was answered.
# Not after "helped …:": "Helped carol with the deploy: stuck on kafka acls" says what the
# author is stuck on (but "helped carol, she's stuck on …" is carol's: ``_OWN_LEAD``).
_REPORTED_QUOTE = re.compile(
    r"^\W*(?:i\s+)?(?:just\s+|also\s+)?(?:answered|answering|replied|replying|responded|"
    r"responding|explained|explaining)\b[^:\n]{0,80}:",
    re.I,
)
# What may open the clause of a stated blocker in a sentence that reports helping someone: the
# author, or nobody named ("…, then stuck on X"); anyone else ("she's stuck on X") is the
# person helped.
_OWN_LEAD = re.compile(
    r"^\W*(?:(?:and|then|but|so|now|still|also|i|i'm|im|we|we're|am|are|both|all|got|getting|"
    r"kept|keep|currently|myself|kind\s+of|kinda|a\s+bit|totally|really|pretty|quite)\b\W*)*$",
    re.I,
)
# A person's mention ("<@U1>", "<@!123>", a role's "<@&1>", a plain "@bob"; not "@here") and
# the mark it leaves in the text read: a character no pattern here takes for a word or a space.
_PERSON = re.compile(
    r"<@[^<>]*>|(?<![\w@/])@(?!(?i:here|channel|everyone)\b)[A-Za-z][\w.\-]*(?![\w/@])"
)
_MENTIONED = "\ue000"
# A sentence that answers the question just before it: "Q: how do we rotate the vault tokens?
# A: the cron job" is a note, not a question still open. Explicit markers answer whatever the
# question is about ("A:" only after "Q:"); a sentence that merely opens like a finding or a
# decision ("Turns out …", "We agreed …") answers it only when it shares one of its topics
# (after "Q:" it answers without: the narration is written as questions and answers).
_QUESTION_MARKER = re.compile(r"^\W*q\s*:", re.I)
_MARKED_ANSWER = re.compile(r"^\W*a\s*:", re.I)
_EXPLICIT_ANSWER = re.compile(r"^\W*(?:answer|solution|resolution)\s*:", re.I)
_TOPICAL_ANSWER = re.compile(
    r"^\W*(?:(?:the\s+)?answer\s+(?:is|was)\b"
    r"|(?:so\s+|and\s+|in\s+the\s+end\s+)?(?:(?:we|i|they|the\s+team)\s+)?"
    r"(?:decided|agreed|settled\s+on|concluded|went\s+with|opted\s+for)\b"
    r"|(?:it\s+)?turns\s+out\b)",
    re.I,
)
# Conjunctions that open the clause a long question is cut to.
_CONJUNCTION = re.compile(r"^(?:but|and|so|or|yet|though|however|also|then)\b\W*", re.I)
# Question cues: a report of answering them ("answered …: how do I …?") asks nothing.
_ASKING = 1
_STATING = 0
_CUES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (_STUCK, "Stuck on", _STATING),
    (_BLOCKED, "Blocked", _STATING),
    (_HELP, "Need help with", _STATING),
    (_FIGURE, "Trying to figure out", _STATING),
    (_ANYONE, "Asking about", _ASKING),
    (_DOES_ANYONE, "Asking about", _ASKING),
)


def find_ask(text: str) -> Ask | None:
    """The narration's first ask with a searchable topic, or ``None`` (the usual case)."""
    # A person's mention leaves a mark, read as "someone" by the check of whose blocker it is
    # ("Helped carol: <@dave> stuck on kafka acls" is dave's), and dropped from the topic.
    text = _PERSON.sub(f" {_MENTIONED} ", text.replace(_MENTIONED, " "))
    # Echoed in the reply and searched: mentions and links are no topic, and must ping nobody.
    text = without_mentions(without_markup(text), keep_broadcast_words=True)
    text = _ORPHAN_POSSESSIVE.sub(" ", text.translate(_APOSTROPHES))
    sentences, opens = _sentences(text)
    # The last sentence that isn't courtesy ("thanks!"): the only one a bare question may be.
    last = len(sentences) - 1
    while last >= 0 and _COURTESY_SENTENCE.match(sentences[last]):
        last -= 1

    budget = [MAX_CUES]

    # A question the next sentence answers asks nothing any more: weighed only for a question
    # cue, and only when the next sentence opens like an answer, which takes one from the budget.
    def answered(i: int) -> bool:
        if i + 1 >= len(sentences) or not _opens_like_answer(sentences[i + 1]):
            return False
        budget[0] -= 1
        return _answers(sentences[i], sentences[i + 1])

    quote: _Quote | None = None  # the question quoted after "answered …:", while read past
    for index, sentence in enumerate(sentences):
        if quote is not None:
            if not quote.ends(sentence, opens[index], budget):
                if budget[0] <= 0:
                    return None
                continue
            quote = None
        reported = _REPORTED.match(sentence) is not None
        if reported and (colon := _REPORTED_QUOTE.match(sentence)):
            # What follows is the question answered, and its words: the rest of the line, or
            # after a header ("Answered two questions in #help:") the lines it introduces.
            listed = _BULLET.match(sentence) is not None or (
                opens[index] == _SAME_LINE
                and index > 0
                and opens[index - 1] != _SAME_LINE
                and _LIST_NUMBER.match(sentences[index - 1]) is not None
            )
            quote = _Quote(sentence[colon.end() :], listed=listed)
            continue
        found = _cued(sentence, budget, reported=reported, answered=partial(answered, index))
        if found is not None:
            return found
        if budget[0] <= 0:
            return None
        if index == last and not reported and sentence.endswith("?"):
            return _question(sentence)
    return None


def _sentences(text: str) -> tuple[list[str], list[int]]:
    """``text``'s sentences, and what each opens: ``_SAME_LINE`` (it goes on a line),
    ``_NEW_LINE``, ``_NESTED_LINE`` (an indented line: "  - he asked: …" under a list item)
    or ``_NEW_PARAGRAPH`` (after a blank line)."""
    sentences: list[str] = []
    opens: list[int] = []
    at, opening, indented = 0, _NEW_PARAGRAPH, False
    for end in [*_SENTENCE_END.finditer(text), None]:
        raw = text[at : end.start() if end else len(text)]
        if sentence := raw.strip():
            nested = opening == _NEW_LINE and (indented or raw[:1] in (" ", "\t"))
            sentences.append(sentence)
            opens.append(_NESTED_LINE if nested else opening)
            opening = _SAME_LINE
        if end is not None:
            gap = end.group()
            newlines = gap.count("\n") + (sentence == "" and opening != _SAME_LINE)
            if newlines:
                opening = max(opening, _NEW_PARAGRAPH if newlines > 1 else _NEW_LINE)
                indented = "\n" in gap and gap.rsplit("\n", 1)[1] != ""
            at = end.end()
    return sentences, opens


class _Quote:
    """The question quoted after "answered …:", read past line by line.

    After a colon with words on its line ("answered: Why does the ledger export time out?") the
    quote is that line and what follows; after a header ("Answered two questions in #help:",
    nothing but emoji or markup after the colon) the lines that follow. Either runs on through
    blank lines, bullets, "> " lines and items nested under its own, and ends only at:

    - a line that opens with the author's own blocker about something else than every quoted
      line ("Stuck on kafka acls"; after a header, not its first line); a "> " line is never
      the author's own. Each such weighing takes one from the cue budget;
    - a standup section's line ("Today:", "*Blockers*");
    - when the "answered …" line is a list item (``listed``), the next item of its list;
    - after a quote on the header's own line, a "Q:" line.
    """

    def __init__(self, rest: str, *, listed: bool) -> None:
        self.header = _WORD.search(_HEADER_MARKUP.sub("", rest)) is None
        self.listed = listed
        self.text = rest[:WINDOW]
        self.lines = 0  # lines quoted after the header's
        self._words: frozenset[str] | None = None

    def ends(self, sentence: str, opens: int, budget: list[int]) -> bool:
        """Whether ``sentence`` (``opens``: what it opens) is past the quote."""
        if opens != _SAME_LINE:
            if opens != _NESTED_LINE and (
                (self.listed and _BULLET.match(sentence) is not None)
                or (not self.header and _QUESTION_MARKER.match(sentence) is not None)
            ):
                return True
            words = _LINE_MARKS.sub("", sentence, count=1)
            if _SECTION.match(_HEADER_MARKUP.sub("", words)):
                return True
            if (
                (self.lines or not self.header)
                and not sentence.startswith((">", _ESCAPED_QUOTE))
                and _OWN_STATUS.match(words) is not None
            ):
                budget[0] -= 1
                if self.words().isdisjoint(_topic_words(sentence[:WINDOW])):
                    return True
            self.lines += 1
        self._add(sentence)
        return False

    def _add(self, sentence: str) -> None:
        if len(self.text) < _MAX_QUOTE:
            self.text = f"{self.text}\n{sentence[:WINDOW]}"[:_MAX_QUOTE]
            self._words = None

    def words(self) -> frozenset[str]:
        """The topic words of every quoted line (of its first ``_MAX_QUOTE`` characters)."""
        if self._words is None:
            self._words = _topic_words(self.text)
        return self._words


def _opens_like_answer(sentence: str) -> bool:
    """Whether ``sentence`` opens as an answer may ("A:", "Answer:", "We decided …")."""
    return any(
        pattern.match(sentence) is not None
        for pattern in (_EXPLICIT_ANSWER, _MARKED_ANSWER, _TOPICAL_ANSWER)
    )


def _answers(question: str, sentence: str) -> bool:
    """Whether ``sentence`` answers ``question``, the sentence just before it."""
    if _EXPLICIT_ANSWER.match(sentence):
        return True
    marked = _QUESTION_MARKER.match(question) is not None
    if _MARKED_ANSWER.match(sentence):
        return marked
    if not _TOPICAL_ANSWER.match(sentence):
        return False
    # After "Q:" the narration is written as questions and answers: a decision or a finding
    # answers ("Q: how do we rotate the vault tokens? We went with a cron job").
    return marked or _shares_topic(question, sentence)


def _shares_topic(one: str, other: str) -> bool:
    """Whether ``one`` and ``other`` share a word of their topics ("the ledger export" and
    "the export"): said of the same thing."""
    return not _topic_words(one).isdisjoint(_topic_words(other))


def _topic_words(text: str) -> frozenset[str]:
    return frozenset(w for t in extract_topics(text) for w in t.split())


def _cued(
    sentence: str, budget: list[int], *, reported: bool, answered: Callable[[], bool]
) -> Ask | None:
    """The first cue in ``sentence`` that asks, in the order they appear; each one weighed
    takes one from ``budget``. In a sentence that reports helping (``reported``) only the
    author's own blockers count; before the narration answers it (``answered``) no question."""
    if not _CUE_WORD.search(sentence):
        return None
    is_answered: bool | None = None
    for _, match, lead, kind in _in_order(sentence):
        if budget[0] <= 0:
            return None
        if kind == _ASKING and reported:
            continue
        if kind == _ASKING and is_answered is None:
            is_answered = answered()  # takes one from the budget if it weighs the next sentence
        if kind == _ASKING and is_answered:
            continue
        budget[0] -= 1
        by = match.groupdict().get("by")
        said = f"{lead} {by}" if by else lead
        if (ask := _said(sentence, match, said, own_only=reported)) is not None:
            return ask
    return None


def _in_order(sentence: str) -> Iterator[tuple[int, re.Match[str], str, int]]:
    """Every cue's matches, merged by where they start: read lazily, so the first ask found
    ends the reading."""

    def matches(
        pattern: re.Pattern[str], lead: str, kind: int, order: int
    ) -> Iterator[tuple[int, int, re.Match[str], str, int]]:
        for match in pattern.finditer(sentence):
            yield match.start(), order, match, lead, kind

    streams = [
        matches(pattern, lead, kind, order) for order, (pattern, lead, kind) in enumerate(_CUES)
    ]
    if sentence.endswith("?"):
        streams.append(matches(_HOW_DO_I, "Asking how to", _ASKING, len(_CUES)))
    for start, _, match, lead, kind in heapq.merge(*streams, key=lambda cue: cue[:2]):
        yield start, match, lead, kind


def _said(sentence: str, match: re.Match[str], lead: str, *, own_only: bool = False) -> Ask | None:
    """The ask a cue makes, when its clause says the blocker is current and names a topic
    (with ``own_only``, and is the author's)."""
    before = max(0, match.start() - WINDOW)
    clause_start = max(
        (m.end() for m in _CLAUSE_END.finditer(sentence, before, match.start())), default=before
    )
    if _OVER_BEFORE.search(sentence, clause_start, match.start()):
        return None
    lead_words = sentence[clause_start : match.start()].replace(_MENTIONED, " someone ")
    if own_only and not _OWN_LEAD.match(lead_words):
        return None
    after = min(len(sentence), match.end() + WINDOW)
    if _SOLVED_AFTER.search(sentence, match.end(), after):
        return None
    end = _CLAUSE_END.search(sentence, match.end(), after)
    topic = _topic(sentence[match.end() : end.start() if end else after])
    if topic is None:
        return None
    return Ask(topic=topic, echo=f"{lead} {topic}?")


def _question(sentence: str) -> Ask | None:
    """A last sentence ending with "?" and no cue: it asks when its question seeks a fact or a
    way about something searchable, and isn't chat or asked of oneself."""
    sentence = " ".join(sentence.replace(_MENTIONED, " ").split())
    # The question is the clause the "?" ends: "Quick fix to get the build green, but what is
    # the right answer for Windows?" asks "what is the right answer for Windows".
    tail = sentence[-WINDOW:].rstrip(" ?!.")
    starts = [m.end() for m in _CLAUSE_END.finditer(tail)]
    clause = _CONJUNCTION.sub("", tail[starts[-1] if starts else 0 :].strip())
    if _RHETORICAL.match(sentence) or _RHETORICAL.match(clause):
        return None
    if not _SEEKS.match(clause) or _CHAT.search(clause):
        return None
    # "Anyone?" or "thoughts?" after a statement ask about the statement, which has no cue here
    # to say what it is about: nothing to search. Too long, the question keeps its end.
    words = " ".join(sentence.split())
    said = words if len(words) <= MAX_TOPIC + 1 else " ".join(clause.split())
    topic = _topic(said, keep="end")
    if topic is None:
        return None
    cut = "" if said.lstrip("\"'“‘").startswith(topic) else "…"
    return Ask(topic=topic, echo=f"Asking “{cut}{topic}?”")


def _topic(words: str, *, keep: str = "start") -> str | None:
    words = words.replace(_MENTIONED, " ")
    topic = _COURTESY_TAIL.sub("", " ".join(words[: 2 * WINDOW].split()))
    topic = topic.strip(" ?!.,;:\"'“”‘’")
    if len(topic) > MAX_TOPIC:
        if keep == "end":
            # From the first whole word of the last ``MAX_TOPIC`` characters.
            cut = len(topic) - MAX_TOPIC
            topic = topic[cut:] if topic[cut - 1] == " " else topic[cut:].split(" ", 1)[-1]
            topic = topic.lstrip(" ,;:")
        else:
            topic = topic[:MAX_TOPIC].rsplit(" ", 1)[0].rstrip(" ,;:")
    # A topic worth a search names a thing (see ``topics``): "it", "this for hours" or
    # "the same thing again" would point at whoever narrates the most.
    if not topic or not extract_topics(topic):
        return None
    return topic
