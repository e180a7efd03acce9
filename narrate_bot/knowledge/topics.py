"""Topics of a narration: a handful of normalized words that say what it is about.

Deliberately simple and explainable (people see their topics): hashtags first, then the content
words that occur most, with a crude singular form so "migrations" and "migration" meet.
"""

from __future__ import annotations

from collections import Counter

from .clean_text import without_markup
from .spellings import fold_accents
from .words import STOPWORDS, content_words, hashtags, symbol_names

MAX_TOPICS = 8
MAX_TOPIC_LEN = 64

# Names people narrate about that end in "s" without being plurals. Topics are shown to people
# ("you both narrated about postgres"), so "postgre" or "kubernete" would read as a bug.
_NOT_PLURAL_TEXT = """
    postgres kubernetes jenkins pandas numpy redis series news species https dns aws gcs
    sms ios macos chaos kudos canvas atlas status nexus corpus devops ops mlops gitops finops
    secops analytics physics economics mathematics graphics ethics logistics
"""
_NOT_PLURAL = frozenset(_NOT_PLURAL_TEXT.split())

# What people *did* is not what they know about: "upgraded the kafka brokers" is about kafka.
# These work verbs stay searchable (a question may use them) but are never a topic.
_WORK_VERB_TEXT = """
    upgraded tuned prototyped migrated refactored refactoring reviewed deployed released
    implemented implementing improved improving investigated investigating debugged cleaned
    wired merged landed tested removed renamed bumped rewrote rewriting finishing starting
    paired helped prepared planned discussed discussing continued continuing spent spending
    learned learnt created
"""
_WORK_VERBS = frozenset(_WORK_VERB_TEXT.split())

# How it went, and when: "the release went fine this morning, finally green" is about the
# release. Like the work verbs these stay searchable, but a topic map or an introduction
# ("you both narrated about finally, fine and green") must never be made of them.
_FILLER_TEXT = """
    went go goes going gone come came coming take took taken taking give gave keep kept let
    fine good great nice okay bad better best worse worst easy hard quick quickly slow slowly
    finally almost mostly mainly already again nearly maybe probably actually basically
    pretty quite little bit bits stuff whole half full enough sure last next first second
    green red yellow morning afternoon evening night tonight weekend month months hour hours
    minute minutes earlier later soon now ago time times sprint standup today's tomorrow's
    happy glad sad busy ready tough tricky interesting lovely awesome cool
    seems seemed looks looked feel felt think thought want wanted said says told asked ask see
    lot plenty many several various another others everything nothing anything
"""
_FILLER = frozenset(_FILLER_TEXT.split())

# Where the work stands and how it is organized, not what it is about: "stuck on the postgres
# vacuum, need help" is about postgres and vacuum; a topic map led by "blocked", "issue" and
# "help", or an introduction "you both narrated about issue", says nothing. Chosen from the words
# the benchmark narrations made topics of (golang-tools, se-quantumcomputing-2018) and what blocker
# narrations say, plus the base forms of the work verbs above. Words that are some team's subject
# stay topics even when they are often filler: sync (Go's sync package, data sync), call
# (function calls), plan (Plan 9), and test, build, release, deploy, debug, merge, refactor,
# support, documentation and feedback. "progress" goes: in work updates it is how far along
# something is ("good progress on the migration"); gopls' progress reporting says lsp too.
_STATUS_TEXT = """
    stuck blocked blocker blockers blocking unblock unblocked help helping helpful
    issue issues problem problems bug bugs trouble question questions answer answers answered
    per doc docs todo todos wip progress ticket tickets task tasks review reviews followup
    meeting meetings retro standups eod eow asap fyi etc
    remove improve implement investigate bump rewrite finish start prepare discuss continue
    spend learn create try
    instead possible exactly following based available non way one two three four five
"""
_STATUS = frozenset(_STATUS_TEXT.split())


def normalize_topic(word: str) -> str:
    """Lower-case, strip '#', and fold a plural 's' (not 'ss', not short words, not names)."""
    word = word.lower().lstrip("#").strip()
    if word in _NOT_PLURAL or word.endswith(("ss", "us", "is", "os")):
        return word[:MAX_TOPIC_LEN]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return word[:MAX_TOPIC_LEN]


# Every word above, as written and as ``normalize_topic`` stores it ("issues" is kept as "issue"):
# what ``is_topic`` checks a stored topic against.
_NOT_TOPICS = frozenset(
    {normalize_topic(w) for w in STOPWORDS | _WORK_VERBS | _FILLER | _STATUS}
    | STOPWORDS
    | _WORK_VERBS
    | _FILLER
    | _STATUS
)


def is_topic(topic: str) -> bool:
    """Whether a topic as stored names what the work is about, not how it stands or went.

    Checked when topics are extracted, and again wherever stored topics are read (the topic
    map, profiles, digests, introductions): topics stored before a word joined these lists stop
    showing without rewriting anyone's narrations. Who-knows searches never read topics.
    """
    return topic.lower() not in _NOT_TOPICS


def extract_topics(text: str, *, limit: int = MAX_TOPICS) -> list[str]:
    # Markup and links name people, channels and addresses, not what the work is about: "u999"
    # or "https" as a topic would read as noise on the map and in introductions.
    text = without_markup(text)
    tags = [normalize_topic(t) for t in hashtags(text)]
    counts = Counter(
        normalize_topic(w) for w in content_words(text) if len(w) > 2 and not w[0].isdigit()
    )
    # Keyed by the spelling without accents: "café" and "cafe" in one narration are one topic,
    # shown as first written.
    chosen: dict[str, str] = {}
    for tag in tags:
        if tag and is_topic(tag):
            chosen.setdefault(fold_accents(tag), tag)
    # C++, C#, F#: technologies named with a symbol, which content words can't hold. (A capital
    # letter alone, "R" or "C", is asked about but not taken as a topic: in work updates it is
    # as often "option C" as the language.)
    for name in symbol_names(text):
        if len(name) > 1:
            chosen.setdefault(name.lower(), name.lower())
    # Most frequent first; ties keep their first appearance (Counter preserves insertion order).
    for word, _ in counts.most_common():
        if len(chosen) >= limit:
            break
        if word and is_topic(word):
            chosen.setdefault(fold_accents(word), word)
    return list(chosen.values())[:limit]
