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
            by_key.setdefault(fold_accents(spelling), []).append((spelling, n))
        self._labels = {
            key: min(options, key=lambda option: _preference(*option))[0]
            for key, options in by_key.items()
        }

    def label(self, spelling: str) -> str:
        """The shown spelling of this topic; one never seen is its own label."""
        return self._labels.get(fold_accents(spelling), spelling)


def merged(counts: Mapping[str, int]) -> Counter[str]:
    """Counts per topic with its spellings added together under the label shown."""
    spellings = Spellings(counts)
    result: Counter[str] = Counter()
    for spelling, n in counts.items():
        result[spellings.label(spelling)] += n
    return result
