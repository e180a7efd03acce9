"""Declared and hidden topics meet questions whatever the case, plural or verb form."""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.topic_match import (
    fold_accents,
    matched_terms,
    matches,
    split_topics,
    stems,
    topic_key,
)


@pytest.mark.parametrize(
    ("topic", "question"),
    [
        ("Kafka", "who knows about kafka?"),
        ("kafka", "KAFKAS"),
        ("migrations", "database migration"),
        ("release", "who knows about releasing the app"),
        ("caching", "cache invalidation"),
        ("deploy", "deployed services"),
        ("libraries", "which library"),
        ("Kafka Streams", "streaming with kafka"),
    ],
)
def test_topics_match_questions_in_any_form(topic, question):
    assert matches(topic, stems(question))


@pytest.mark.parametrize(
    ("topic", "question"),
    [("kafka streams", "kafka"), ("kafka", "postgres"), ("the", "the kafka"), ("ring", "rust")],
)
def test_topics_do_not_match_unrelated_or_partial_questions(topic, question):
    assert not matches(topic, stems(question))


def test_topic_keys_identify_a_topic_whatever_its_form():
    assert topic_key("Kafka Streams") == topic_key("stream kafka") == topic_key("#kafka, streams")
    assert topic_key("the") == ""


def test_lists_split_on_commas_else_on_spaces():
    assert split_topics("kafka, kafka streams ,ledger") == ["kafka", "kafka streams", "ledger"]
    assert split_topics("kafka postgres Kafka") == ["kafka", "postgres"]
    assert split_topics("  ") == []


def test_matched_terms_are_the_question_words_the_evidence_contains():
    texts = ["Tuned the Kafka consumers", "lag alerts"]
    assert matched_terms("kafka consumer lag terraform", texts) == ["kafka", "consumer", "lag"]


def test_a_path_the_evidence_spells_out_is_shown_as_written():
    texts = ["billing/ledger: rounding in the refunds export"]
    question = "billing/ledger: rounding off by a cent"
    assert matched_terms(question, texts) == ["billing/ledger", "rounding"]
    # Its words scattered in the evidence are still shown as words.
    assert matched_terms(question, ["the billing team's ledger"]) == ["billing", "ledger"]


@pytest.mark.parametrize(
    ("topic", "question"),
    [
        ("Zürich", "who knows about zurich?"),
        ("zurich", "ZÜRICH office"),
        ("cafe", "café ordering"),
        ("Café", "cafes"),
        ("résumé parsing", "parsing resumes"),
    ],
)
def test_accents_are_folded_for_matching_as_the_search_folds_them(topic, question):
    assert matches(topic, stems(question))
    assert topic_key(topic) == topic_key(fold_accents(topic))


def test_letters_that_do_not_decompose_stay_as_the_search_keeps_them():
    assert fold_accents("Zürich café") == "Zurich cafe"
    assert fold_accents("Øresund straße") == "Øresund straße"
