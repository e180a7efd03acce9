"""Which of a question's words a person's narrations match, and how to name them: the who-knows
answer's why-line ("narrated about kafka 3 times and lag 1 time") and blocker help's "@bob
narrates about batch" read the same groups, so both say the same of the same person.

Pure: search terms (``words``) and hits (``ranking``) in, words out.
"""

from __future__ import annotations

from .ranking import Hit
from .words import SearchTerm


def word_groups(
    hits: list[Hit], terms: list[SearchTerm], asked_terms: frozenset[int]
) -> list[tuple[list[str], int]]:
    """The question's words these narrations match, each group with the number of narrations
    that contain every word in it: "kafka" 3, then "lag" 1, never "kafka and lag" 3 when only one
    of them mentions lag. Words matched by exactly the same narrations share a group; a path
    ("billing/ledger") stands for its own words where they match no other narration. Groups are
    ordered by count, then by where the question says them."""
    return [
        (group_labels(terms, members), count)
        for members, count in term_groups(hits, terms, asked_terms)
    ]


def term_groups(
    hits: list[Hit], terms: list[SearchTerm], asked_terms: frozenset[int]
) -> list[tuple[list[int], int]]:
    """``word_groups`` as the indexes of the terms in each group (a path's own words it stands
    for left out), for a caller that must find a given term's group."""
    matched = {
        i: frozenset(h.narration_id for h in hits if i in h.terms)
        for i in sorted(asked_terms)
        if i < len(terms)
    }
    matched = {i: found for i, found in matched.items() if found}
    position = {i: _position(terms, i) for i in matched}
    for path in [i for i in matched if terms[i].path]:
        for i in [i for i in matched if i != path]:
            if within_path(terms[i], terms[path]) and matched[i] <= matched.get(path, frozenset()):
                del matched[i]
    groups: dict[frozenset[int], list[int]] = {}
    for i in sorted(matched, key=lambda i: position[i]):
        groups.setdefault(matched[i], []).append(i)
    ordered = sorted(groups.items(), key=lambda g: (-len(g[0]), position[g[1][0]]))
    return [(members, len(found)) for found, members in ordered]


def group_labels(terms: list[SearchTerm], members: list[int]) -> list[str]:
    """How a group names its terms: consecutive pairs of one Chinese, Japanese or Korean run
    ("支付", "付系", "系统" of "我们的支付系统") as the stretch of the run they cover, "支付系统",
    never as pairs that are no word ("付系")."""
    labels: list[str] = []
    stretch: tuple[str, int, int] | None = None  # run, start, end
    for i in members:
        term = terms[i]
        if term.run is not None and stretch is not None:
            run, start, end = stretch
            if term.run == run and term.at == end - 1:
                stretch = (run, start, term.at + 2)
                continue
        if stretch is not None:
            labels.append(stretch[0][stretch[1] : stretch[2]])
            stretch = None
        if term.run is not None:
            stretch = (term.run, term.at, term.at + 2)
        else:
            labels.append(_label(term))
    if stretch is not None:
        labels.append(stretch[0][stretch[1] : stretch[2]])
    return labels


def within_path(term: SearchTerm, path: SearchTerm) -> bool:
    """Whether ``term`` is a word of ``path``, or a shorter path or identifier inside it
    ("folding_range" in "gopls/internal/folding_range")."""
    if not term.path:
        return term.words[0] in path.words
    size = len(term.words)
    return size < len(path.words) and any(
        path.words[i : i + size] == term.words for i in range(len(path.words) - size + 1)
    )


def _label(term: SearchTerm) -> str:
    return term.label()


def _position(terms: list[SearchTerm], index: int) -> int:
    """Where the question says a term: a path where its first word is."""
    term = terms[index]
    if term.path:
        for i, other in enumerate(terms):
            if not other.path and other.words[0] == term.words[0]:
                return i
    return index
