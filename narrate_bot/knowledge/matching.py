"""Maximum-weight matching on a sparse graph, fast enough for a weekly round of 10k people.

The exact blossom algorithm is O(n³) (about 23 minutes at 10k people on a sparse graph, see
shared/research/reliability-performance.md), so we use greedy by descending weight, which alone
guarantees half the optimum and usually reaches 0.93-0.99 of it, then local improvement until no
move gains: short augmenting paths through an unmatched vertex and swaps between two matched
pairs. ``benchmarks/intros_matching.py`` checks the result against networkx's exact optimum.
"""

from __future__ import annotations

from collections.abc import Iterable

Edge = tuple[int, int, float]


class _Graph:
    def __init__(self, edges: Iterable[Edge]) -> None:
        self.weight: dict[tuple[int, int], float] = {}
        self.adjacent: dict[int, list[int]] = {}
        for a, b, w in edges:
            if a == b:
                continue
            key = (a, b) if a < b else (b, a)
            if w <= self.weight.get(key, float("-inf")):
                continue
            if key not in self.weight:
                self.adjacent.setdefault(a, []).append(b)
                self.adjacent.setdefault(b, []).append(a)
            self.weight[key] = w

    def w(self, a: int, b: int) -> float | None:
        return self.weight.get((a, b) if a < b else (b, a))


def max_weight_matching(edges: Iterable[Edge], *, max_passes: int = 8) -> list[tuple[int, int]]:
    """Pairs (a < b) of a heavy matching: no vertex twice, only edges that exist, weights > 0."""
    graph = _Graph(e for e in edges if e[2] > 0)
    mate: dict[int, int] = {}
    for (a, b), _ in sorted(graph.weight.items(), key=lambda item: (-item[1], item[0])):
        if a not in mate and b not in mate:
            mate[a], mate[b] = b, a
    for _ in range(max_passes):
        if not _improve(graph, mate):
            break
    return sorted({(a, b) if a < b else (b, a) for a, b in mate.items()})


def matching_weight(pairs: Iterable[tuple[int, int]], edges: Iterable[Edge]) -> float:
    graph = _Graph(edges)
    return sum(graph.w(a, b) or 0.0 for a, b in pairs)


def _improve(graph: _Graph, mate: dict[int, int]) -> bool:
    """One sweep of gaining moves; ``True`` when anything changed."""
    changed = False
    for u in sorted(graph.adjacent):
        if u not in mate:
            changed |= _augment_from(graph, mate, u)
        else:
            changed |= _swap_from(graph, mate, u)
    return changed


def _augment_from(graph: _Graph, mate: dict[int, int], u: int) -> bool:
    """Unmatched ``u``: take ``v`` from its partner ``p`` when that gains, re-matching ``p`` to
    another unmatched neighbour ``x`` if it has one (an augmenting path u-v=p-x)."""
    best_gain = 1e-12
    best: tuple[int, int | None, int | None] | None = None
    move: tuple[int, int | None, int | None]
    for v in graph.adjacent[u]:
        p = mate.get(v)
        w_uv = graph.w(u, v) or 0.0
        if p is None:
            gain, move = w_uv, (v, None, None)
        else:
            w_vp = graph.w(v, p) or 0.0
            gain, move = w_uv - w_vp, (v, p, None)
            for x in graph.adjacent[p]:
                if x != u and x not in mate:
                    option = w_uv - w_vp + (graph.w(p, x) or 0.0)
                    if option > gain:
                        gain, move = option, (v, p, x)
        if gain > best_gain:
            best_gain, best = gain, move
    if best is None:
        return False
    target, partner, extra = best
    if partner is not None:
        del mate[partner]
    mate[u], mate[target] = target, u
    if partner is not None and extra is not None:
        mate[partner], mate[extra] = extra, partner
    return True


def _swap_from(graph: _Graph, mate: dict[int, int], a: int) -> bool:
    """Matched pairs (a, b) and (c, d) become (a, c) and (b, d) when that weighs more."""
    b = mate[a]
    w_ab = graph.w(a, b) or 0.0
    for c in graph.adjacent[a]:
        d = mate.get(c)
        if c == b or d is None or d == a:
            continue
        w_bd = graph.w(b, d)
        if w_bd is None:
            continue
        gain = (graph.w(a, c) or 0.0) + w_bd - w_ab - (graph.w(c, d) or 0.0)
        if gain > 1e-12:
            mate[a], mate[c], mate[b], mate[d] = c, a, d, b
            return True
    return False
