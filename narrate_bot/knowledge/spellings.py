"""One topic, several spellings: "café" and "cafe" are the same thing to the people narrating it.

The search folds accents on SQLite, and hides and declarations fold them on both engines
(``topic_match``); what people are *shown* (the topic map, a profile, an introduction's
reason) must fold them too, or one topic is listed twice, each with half its people, and two
people who narrate it with and without the accent are never found to share it. A topic is still
shown as people write it: the spelling used most, so the map reads the way the team writes.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

# Phrases of a word that says nothing alone and the subject it names a kind of ("case
# management", "file system"), each kept as one topic when written with a space
# (``topics._headed_phrase``). A short explicit list, never "head + any subject": "in case kafka is
# down" is about kafka, and "the file emacs wrote" about emacs. Each tail is as ``normalize_topic``
# stores it. Not "file path": Go's "filepath" is a package of its own.
_KNOWN_PHRASE_TEXT = """
    case:management case:manager case:study case:law case:history case:tracking case:worker
    file:system file:watcher file:format file:descriptor file:handle file:server file:sharing
    file:name file:extension file:permission file:lock file:upload
"""
KNOWN_PHRASES: dict[str, frozenset[str]] = {}
for _pair in _KNOWN_PHRASE_TEXT.split():
    _head, _tail = _pair.split(":")
    KNOWN_PHRASES[_head] = KNOWN_PHRASES.get(_head, frozenset()) | {_tail}
# Each phrase's closed spelling: "file system", "file-system" and "filesystem" are one topic on
# the map, a profile and an introduction (``Spellings``), however each narration spelled it.
_CLOSED_PHRASES = frozenset(head + tail for head, tails in KNOWN_PHRASES.items() for tail in tails)
# Each closed spelling's head and tail ("filesystem": "file", "system").
PHRASE_PARTS: dict[str, tuple[str, str]] = {
    head + tail: (head, tail) for head, tails in KNOWN_PHRASES.items() for tail in tails
}


def _phrase_key(spelling: str) -> str:
    """A known phrase in any of its spellings as its closed one ("file-system" → "filesystem");
    any other topic as it is."""
    closed = spelling.lower().replace(" ", "").replace("-", "")
    return closed if closed in _CLOSED_PHRASES else spelling


def fold_accents(text: str) -> str:
    """``text`` without its diacritics ("Zürich" → "Zurich", "café" → "cafe"): each character
    decomposed and its combining marks dropped, as FTS5's unicode61 does for the search. Letters
    that don't decompose ("ø", "ß") stay, as they do there."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _preference(spelling: str, uses: int) -> tuple[int, int, str]:
    # Most used first; on a tie the spelling with the accents (someone took care to type
    # them), then the alphabetical one, so the label never depends on the order rows came in.
    marked = sum(1 for a, b in zip(spelling, fold_accents(spelling), strict=False) if a != b)
    return (-uses, -marked, spelling)


class Spellings:
    """The label shown for each topic, chosen from every spelling seen with how often."""

    def __init__(self, uses: Mapping[str, int] | Iterable[str]) -> None:
        counts = Counter(uses) if not isinstance(uses, Mapping) else Counter(dict(uses))
        by_key: dict[str, list[tuple[str, int]]] = {}
        for spelling, n in counts.items():
            by_key.setdefault(_key(spelling), []).append((spelling, n))
        self._labels = {
            key: min(options, key=lambda option: _preference(*option))[0]
            for key, options in by_key.items()
        }

    def label(self, spelling: str) -> str:
        """The shown spelling of this topic; one never seen is its own label."""
        return self._labels.get(_key(spelling), spelling)


def spelling_key(spelling: str) -> str:
    """What every spelling of one topic shares: accents folded, a listed phrase closed."""
    return fold_accents(_phrase_key(spelling))


_key = spelling_key


def merged(counts: Mapping[str, int]) -> Counter[str]:
    """Counts per topic with its spellings added together under the label shown."""
    spellings = Spellings(counts)
    result: Counter[str] = Counter()
    for spelling, n in counts.items():
        result[spellings.label(spelling)] += n
    return result
