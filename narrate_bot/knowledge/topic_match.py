"""Matching a question to topics people declared or hid, robust to case, accents, plurals and
stems.

Both sides go through the same steps: the query-term split every question gets
(``words.query_terms``), accents folded, then a light stemmer, so "Kafka Streams", "kafka
stream" and "who knows about streaming in kafka?" meet, and so do "Zürich" and "zurich". A topic
matches a question when every one of its stems is among the question's: hiding "kafka" keeps you
out of "kafka streams" too.

Folding accents is for matching only; a topic is always shown as the person typed it. The search
folds them on SQLite (FTS5's unicode61) and not on PostgreSQL (the ``english`` configuration
keeps "zürich"), so matching folds on both: hiding must cover every form some engine's search
finds, and a hide broader than one engine's search only hides what that search never shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .spellings import KNOWN_PHRASES, PHRASE_PARTS
from .spellings import fold_accents as fold_accents  # tests import it from here
from .topics import (
    FOLDED_ANEW,
    MAX_CJK_TOPIC_CHARS,
    STORED_BEFORE_PLURALS,
    folded_before,
    normalize_topic,
)
from .words import (
    ampersand_names,
    content_words,
    dotted_names,
    folded,
    is_cjk,
    paths,
    query_terms,
    symbol_names,
    words,
)

MAX_TOPIC_CHARS = 64
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")
# Words that point at something named elsewhere ("follow it", "follow the", "follow that one"):
# a topic made of nothing else names no subject, and is neither kept nor followed.
POINTING_WORDS = frozenset(
    {
        "the", "a", "an", "it", "its", "this", "that", "these", "those", "them", "they",
        "one", "ones", "some", "my", "our", "your", "their", "his", "her", "here", "there",
    }
)  # fmt: skip


def only_pointing(text: str) -> bool:
    """Whether ``text`` has words and every one of them only points (``POINTING_WORDS``)."""
    found = [w for w in (word.strip(".,;:!?'\"“”‘’#").lower() for word in text.split()) if w]
    return bool(found) and all(word in POINTING_WORDS for word in found)


def stem(word: str, *, fold: bool = True) -> str:
    """Fold accents, plurals and the commonest verb endings; deliberately conservative.
    ``fold=False`` keeps the accents, as keys stored before accents were folded have them."""
    return _endings_folded(normalize_topic(fold_accents(word) if fold else word))


def _endings_folded(word: str) -> str:
    for suffix, keep in (("ing", 4), ("ed", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e") and not word.endswith(("ee", "ie")):
        word = word[:-1]  # "release"/"releasing" and "cache"/"caching" meet
    return word


# The stems a key stored before the "es" plurals holds for a word they fold anew, where it
# differs from the word's stem now ("gopls" keyed "gopl", "emacs" "emac", "matrices" "matric",
# "buses" "buse"): ``storage.old_writes`` keys such a hide, ask or follow anew at start, or a
# question about gopls would name whoever hid it. An "es" plural of five letters ("boxes" keyed
# "boxe", "ashes" "ashe") is told by its shape there (``KEYED_BEFORE_PLURAL_SHAPES``); a longer
# one had its "e" cut by the stemmer, as now ("passes": "pass").
KEYED_BEFORE_PLURALS = frozenset(
    {
        before
        for word in FOLDED_ANEW
        if (before := _endings_folded(folded_before(word))) != stem(word)
    }
    | set(STORED_BEFORE_PLURALS)
)
# SQL ``LIKE`` patterns of those five-letter plurals' old stems, "_" any one letter: "boxe",
# "fixe", "asse", "ashe" ("xes", "sses", "shes" and "zzes" are the endings of four letters or
# fewer that ``normalize_topic`` folds as "es" plurals).
KEYED_BEFORE_PLURAL_SHAPES = ("__xe", "_sse", "_she", "_zze")


def stems(text: str, *, fold: bool = True) -> frozenset[str]:
    """Content words stemmed, and symbol names as written ("c++", "r", ".net"): whoever can be
    found for C++ must be able to hide from it. ".NET" is ".net" alone, never "net" as well, as
    the search reads it (``words.search_terms``): hiding .NET kept people out of "net revenue"
    questions, and hiding "net" out of .NET ones. The text is ``words.folded`` first, as the
    search folds a question: "Ｃ＋＋" is C++, and whoever hid C++ stays out of it. A name of two
    letters joined by "&" is itself, lowercased ("r&d"), as the search reads it
    (``words.ampersand_names``): whoever is found for R&D can hide from it, ask to be asked
    about it and follow it."""
    text = folded(text)
    dotted, plain = dotted_names(text)
    found = {stem(term, fold=fold) for term in query_terms(plain)}
    names = {fold_accents(n) if fold else n for n in [*symbol_names(text), *ampersand_names(text)]}
    return frozenset(found | {name.lower() for name in names} | set(dotted))


def phrase_stems(text: str) -> frozenset[str]:
    """The stems of every spelling of each listed phrase (``spellings.KNOWN_PHRASES``) that
    ``text`` writes in any of them: "file system", "file-system" and "filesystem" each give
    {"file", "system", "filesystem"}. The map shows them as one row, so a hide of any one
    spelling (or of "system") must cover them all; a word of no listed phrase gives nothing."""
    # Accents folded first, as ``spellings.spelling_key`` folds them when it puts "fïlesystem"
    # on the "file system" row: a hide must follow every spelling the row gathers.
    terms = [normalize_topic(fold_accents(term)) for term in query_terms(folded(text))]
    found: set[str] = set()
    for i, term in enumerate(terms):
        if term in PHRASE_PARTS:
            head, tail = PHRASE_PARTS[term]
        elif i + 1 < len(terms) and terms[i + 1] in KNOWN_PHRASES.get(term, ()):
            head, tail = term, terms[i + 1]
        else:
            continue
        found |= stems(f"{head} {tail}") | stems(head + tail)
    return frozenset(found)


def spelled_topic_stems(topic: str) -> frozenset[str]:
    """``stems`` of a narrated topic with those of its listed phrase's other spellings
    (``phrase_stems``): what a hide is matched against (``narration_topic_stems``,
    ``pairing.without_hidden``)."""
    return stems(topic) | phrase_stems(topic)


def narration_topic_stems(topic: str) -> frozenset[str]:
    """``stems`` of a topic stored for narrations (the topic map, a profile's topics): those
    store ".NET" as "net" (``topics.extract_topics``), so a stored "net" may be .NET too, and
    whoever hid .NET stays off it. A listed phrase is each of its spellings
    (``spelled_topic_stems``)."""
    found = spelled_topic_stems(topic)
    return found | {".net"} if "net" in found else found


def asked_stems(text: str, *, fold: bool = True) -> frozenset[str]:
    """``stems`` of a question, or of a narration matched against followed topics: a run of
    Chinese, Japanese or Korean is also every stretch of it of one to ``MAX_CJK_TOPIC_CHARS``
    characters (one is a word too: "锁"), each folded as a topic's stem is (``stem``:
    "データ" loses its voiced marks, Hangul syllables decompose), as the search finds a word
    anywhere inside a run (``words.index_text``). Hiding "支付" keeps you out of "who knows
    about 支付系统", as hiding "kafka" keeps you out of "kafka streams"; following "支付"
    brings "今天修复了支付系统". A longer CJK topic (up to ``MAX_TOPIC_CHARS``) is found
    inside the run itself, which is among the stems, by ``matches``. A topic's own stems (its
    ``topic_key``) stay the run as written."""
    found = set(stems(text, fold=fold))
    for run in (word for word in query_terms(text) if is_cjk(word)):
        found.update(
            stem(run[start : start + size], fold=fold)
            for size in range(1, min(len(run), MAX_CJK_TOPIC_CHARS) + 1)
            for start in range(len(run) - size + 1)
        )
    return frozenset(found)


def cjk_runs(asked: frozenset[str]) -> list[str]:
    """The CJK runs among a question's stems (``asked_stems``), folded as they are there."""
    return [word for word in asked if is_cjk(word)]


def long_cjk_runs(text: str) -> list[str]:
    """A question's CJK runs longer than ``MAX_CJK_TOPIC_CHARS`` (shorter ones are whole among
    ``asked_stems``' stretches), folded and as written: where a longer topic can be found."""
    long = [word for word in query_terms(text) if is_cjk(word) and len(word) > MAX_CJK_TOPIC_CHARS]
    return sorted({stem(run, fold=fold) for run in long for fold in (True, False)})


def matched_terms(question: str, texts: Iterable[str]) -> list[str]:
    """The question's words that these texts contain (any form): what the evidence is about.

    A path of the question that the texts spell out ("billing/ledger") is shown as written, in
    place of its words: it is how people name the area, and "billing and ledger" reads as two.
    """
    texts = list(texts)
    found = frozenset(stem(w) for text in texts for w in content_words(text))
    shown = [term for term in query_terms(question) if stem(term) in found]
    lowered = [text.lower() for text in texts]
    for path in paths(question):
        parts = [w for w in words(path) if w in shown]
        if not parts or not any(path in text for text in lowered):
            continue
        shown[shown.index(parts[0])] = path
        shown = [term for term in shown if term not in parts[1:]]
    return shown


def topic_key(topic: str) -> str:
    """A stable identity for a topic: its sorted stems (empty when it has no content words)."""
    return " ".join(sorted(stems(topic)))


def clean_topic(topic: str) -> str:
    """A topic as typed, tidied: no leading ``#``, runs of spaces folded. Never shortened: a topic
    over ``MAX_TOPIC_CHARS`` is refused by the command (``too_long``), so what is stored is what
    the person wrote, never a cut they didn't choose."""
    return " ".join(topic.strip().lstrip("#").split())


def too_long(topics: Iterable[str]) -> list[str]:
    """The topics over ``MAX_TOPIC_CHARS``, which commands refuse whole (nothing is stored)."""
    return [topic for topic in topics if len(topic) > MAX_TOPIC_CHARS]


def split_topics(text: str) -> list[str]:
    """``kafka, kafka streams`` is two topics; without commas every word is its own topic."""
    text = text.strip()
    parts = _LIST_SPLIT.split(text) if ("," in text or ";" in text) else text.split()
    seen: dict[str, str] = {}
    for part in parts:
        topic = clean_topic(part)
        if topic:
            seen.setdefault(topic_key(topic) or topic.lower(), topic)
    return list(seen.values())


def matches(topic: str, question_stems: frozenset[str]) -> bool:
    """Every stem of the topic is the question's; a CJK stem may also be anywhere inside one of
    the question's CJK runs, whatever its length (hide-me takes up to ``MAX_TOPIC_CHARS``)."""
    own = stems(topic)
    if not own:
        return False
    missing = own - question_stems
    if not missing:
        return True
    if not all(is_cjk(word) for word in missing):
        return False
    runs = cjk_runs(question_stems)
    return all(any(word in run for run in runs) for word in missing)


def matching(topics: Iterable[str], question: str) -> list[str]:
    asked = asked_stems(question)
    return [t for t in topics if matches(t, asked)]
