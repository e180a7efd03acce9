"""Query expansion from pseudo-relevance feedback: words the best matches share.

A question names a topic in its own words; the narrations that match it best also use the
topic's other words (a Q&A tag, a sibling package, the library's name). Words that at least two of
the top matches share, and the question lacks, are searched too, at half weight, so people who
also narrate the topic in those words rank higher. A borrowed word never names anyone on its own:
only people with a match on a word the asker typed are suggested (``ranking.rank_people``), since
"consumer" borrowed from "kafka consumer lag" is also "consumer pricing". Only narrations the asker
may read are read here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .words import SearchTerm, query_terms

EXPANSION_DOCUMENTS = 10
EXPANSION_TERMS = 3
EXPANSION_WEIGHT = 0.5
_WORDS_PER_DOCUMENT = 50


def expansion_terms(texts: Iterable[str], *, asked: list[SearchTerm]) -> list[SearchTerm]:
    """Up to ``EXPANSION_TERMS`` words shared by at least two of ``texts`` (best match first)."""
    have = {term.words[0] for term in asked if len(term.words) == 1}
    shared: Counter[str] = Counter()
    for text in texts:
        # Distinct words in reading order: ties in most_common() then go to the word met first,
        # in the best match. (A set here made the choice depend on string hashing, so the same
        # question could expand differently from one process to the next.)
        shared.update(query_terms(text, limit=_WORDS_PER_DOCUMENT))
    chosen: list[SearchTerm] = []
    for word, documents in shared.most_common():
        if len(chosen) >= EXPANSION_TERMS or documents < 2:
            break
        if word not in have and word.isalnum():
            chosen.append(SearchTerm(words=(word,), weight=EXPANSION_WEIGHT))
    return chosen
