"""The matcher: always a valid matching, close to the exact optimum, and the hard rules hold."""

from __future__ import annotations

import random

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate_bot.knowledge.intro_reasons import reason_line
from narrate_bot.knowledge.matching import matching_weight, max_weight_matching
from narrate_bot.knowledge.pairing import Pairing, Participant, Rules

edge_lists = st.lists(
    st.tuples(st.integers(0, 25), st.integers(0, 25), st.floats(0.01, 50, allow_nan=False)),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(edge_lists)
def test_matching_is_valid_and_at_least_half_the_optimum(edges):
    pairs = max_weight_matching(edges)
    used = [v for pair in pairs for v in pair]
    assert len(used) == len(set(used))
    graph = nx.Graph()
    for a, b, w in edges:
        if a != b and w > graph.get_edge_data(a, b, {"weight": 0})["weight"]:
            graph.add_edge(a, b, weight=w)
    for a, b in pairs:
        assert graph.has_edge(a, b)
    best = matching_weight(nx.max_weight_matching(graph), edges)
    assert matching_weight(pairs, edges) >= 0.5 * best - 1e-9


def test_local_improvement_beats_plain_greedy_on_the_classic_trap():
    # Greedy takes the 10 in the middle; the optimum takes both 9s.
    edges = [(1, 2, 9.0), (2, 3, 10.0), (3, 4, 9.0)]
    assert max_weight_matching(edges) == [(1, 2), (3, 4)]


def test_close_to_the_exact_optimum_on_random_sparse_graphs():
    rng = random.Random(3)
    ratios = []
    for _ in range(5):
        edges = [(rng.randrange(300), rng.randrange(300), rng.random() * 10) for _ in range(1500)]
        graph = nx.Graph()
        for a, b, w in edges:
            if a != b:
                graph.add_edge(
                    a, b, weight=max(w, graph.get_edge_data(a, b, {"weight": 0})["weight"])
                )
        exact = matching_weight(nx.max_weight_matching(graph), edges)
        ratios.append(matching_weight(max_weight_matching(edges), edges) / exact)
    assert min(ratios) >= 0.9


def _person(key, team, topics=(), **extra):
    return Participant(
        key=key,
        user_id=f"u{key}",
        team=team,
        topics={t: frozenset({None}) for t in topics},
        **extra,
    )


def test_plan_keeps_teams_apart_honours_wishes_and_makes_one_trio():
    people = [
        _person(1, "a", ["kafka"]),
        _person(2, "a", ["kafka"]),
        _person(3, "b", ["kafka"], never=frozenset({"u1"})),
        _person(4, "b", ["postgres"]),
        _person(5, "c", ["postgres"], recent_partners=frozenset({4})),
    ]
    plan = Pairing(people).plan()
    groups = [set(s.members) for s in plan]
    assert sorted(len(g) for g in groups) == [2, 3]
    assert set().union(*groups) == {1, 2, 3, 4, 5}
    by_key = {p.key: p for p in people}
    for group in groups:
        teams = [by_key[k].team for k in group]
        assert len(set(teams)) == len(teams)
        assert not {1, 3} <= group and not {4, 5} <= group


def test_same_team_is_allowed_only_when_the_tenant_says_so():
    people = [_person(1, "a", ["kafka"]), _person(2, "a", ["kafka"])]
    assert Pairing(people).plan() == []
    plan = Pairing(people, rules=Rules(cross_team_only=False)).plan()
    assert [s.members for s in plan] == [(1, 2)]


def test_private_topics_count_only_for_readers_and_not_useful_weighs_less():
    secret = {"zanzibar": frozenset({7})}
    reader = Participant(key=1, user_id="u1", team="a", topics=secret, readable=frozenset({7}))
    outsider = Participant(key=2, user_id="u2", team="b", topics=secret)
    insider = Participant(key=3, user_id="u3", team="b", topics=secret, readable=frozenset({7}))
    pairing = Pairing([reader, outsider, insider])
    assert pairing.explain(reader, outsider).shared == ()
    assert pairing.explain(reader, insider).shared == ("zanzibar",)
    tired = Participant(
        key=4,
        user_id="u4",
        team="b",
        topics={"zanzibar": frozenset({None})},
        disliked=frozenset({"zanzibar"}),
    )
    keen = Participant(key=5, user_id="u5", team="b", topics={"zanzibar": frozenset({None})})
    other = Participant(key=6, user_id="u6", team="a", topics={"zanzibar": frozenset({None})})
    pairing = Pairing([tired, keen, other])
    assert pairing.explain(other, tired).weight < pairing.explain(other, keen).weight


def test_every_reason_is_a_non_empty_line():
    people = [_person(i, f"t{i % 3}") for i in range(7)]
    pairing = Pairing(people)
    for suggestion in pairing.plan():
        line = reason_line(suggestion, pairing, period="this month")
        assert line and "\n" not in line


def test_a_trio_cites_only_what_its_third_member_may_read_too():
    secret = {"zanzibar": frozenset({7}), "kafka": frozenset({None})}
    alice = Participant(key=1, user_id="u1", team="a", topics=secret, readable=frozenset({7}))
    carol = Participant(key=2, user_id="u2", team="b", topics=secret, readable=frozenset({7}))
    dan = Participant(key=3, user_id="u3", team="c", topics={"ledger": frozenset({None})})
    pairing = Pairing([alice, carol, dan])
    [trio] = pairing.plan()
    assert sorted(trio.members) == [1, 2, 3] and trio.members[2] == 3
    assert trio.shared == ("kafka",)
    line = reason_line(trio, pairing, period="this month")
    assert "zanzibar" not in line and "<@u1> and <@u2> both narrated about kafka" in line
