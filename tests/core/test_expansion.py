"""Query expansion: only words several of the best matches share, never the question's own."""

from __future__ import annotations

from narrate_bot.knowledge.expansion import EXPANSION_TERMS, expansion_terms
from narrate_bot.knowledge.words import search_terms


def test_words_shared_by_the_best_matches_are_added_at_reduced_weight():
    asked = search_terms("flaky login test")
    texts = [
        "flaky login test quarantined, selenium timeout",
        "login test flaky again after the selenium driver update",
        "unrelated: quarterly planning",
    ]
    extra = expansion_terms(texts, asked=asked)
    assert [t.words for t in extra] == [("selenium",)]
    assert extra[0].weight < 1


def test_a_word_in_one_match_only_or_already_asked_is_not_added():
    asked = search_terms("kafka")
    assert expansion_terms(["kafka lag", "kafka brokers"], asked=asked) == []
    many = [" ".join(f"w{i}" for i in range(10))] * 2
    assert len(expansion_terms(many, asked=asked)) == EXPANSION_TERMS


def test_ties_go_to_the_words_of_the_best_match_in_reading_order():
    # Ten words, each shared by both matches: the same question must expand the same way in
    # every process, so the words the best match mentions first win, not string hashing.
    asked = search_terms("deploy")
    best = "deploy canary rollback helm argo istio envoy grafana loki tempo vault"
    second = "vault tempo loki grafana envoy istio argo helm rollback canary deploy"
    extra = expansion_terms([best, second], asked=asked)
    assert [t.words for t in extra] == [("canary",), ("rollback",), ("helm",)]
