"""Which narrations ask for help or report a blocker, and what about (English phrasing only)."""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.asks import MAX_TOPIC, Ask, find_ask
from narrate_bot.knowledge.words import search_terms
from narrate_bot.routing import parse_command


@pytest.mark.parametrize(
    ("text", "topic", "echo"),
    [
        (
            "stuck on postgres vacuum tuning, anyone know how autovacuum thresholds work?",
            "postgres vacuum tuning",
            "Stuck on postgres vacuum tuning?",
        ),
        (
            "blocked on the kafka consumer rebalancing",
            "the kafka consumer rebalancing",
            "Blocked on the kafka consumer rebalancing?",
        ),
        (
            "Blocked by legal review of the vendor contract",
            "legal review of the vendor contract",
            "Blocked by legal review of the vendor contract?",
        ),
        (
            "I’m stuck with the helm chart upgrade — any ideas?",
            "the helm chart upgrade",
            "Stuck on the helm chart upgrade?",
        ),
        (
            "need help with grafana alert routing please",
            "grafana alert routing",
            "Need help with grafana alert routing?",
        ),
        (
            "can't figure out why the selenium tests time out",
            "why the selenium tests time out",
            "Trying to figure out why the selenium tests time out?",
        ),
        (
            "anyone know how autovacuum thresholds work?",
            "how autovacuum thresholds work",
            "Asking about how autovacuum thresholds work?",
        ),
        (
            "Does anyone have experience with terraform state locking?",
            "terraform state locking",
            "Asking about terraform state locking?",
        ),
        (
            "anybody familiar with pgbouncer pooling modes? Thanks!",
            "pgbouncer pooling modes",
            "Asking about pgbouncer pooling modes?",
        ),
        (
            "how do I rotate the vault tokens?",
            "rotate the vault tokens",
            "Asking how to rotate the vault tokens?",
        ),
        (
            "reading the runbook. Is the staging elasticsearch cluster read-only?",
            "Is the staging elasticsearch cluster read-only",
            "Asking “Is the staging elasticsearch cluster read-only?”",
        ),
        # Names with dots, symbols and paths stay whole: the topic is searched as written.
        ("stuck on asp.net core routing. help appreciated", "asp.net core routing", None),
        ("Stuck on C++ template errors", "C++ template errors", None),
        (
            "anybody know about billing/ledger reconciliation?",
            "billing/ledger reconciliation",
            None,
        ),
        # The first cue with a topic worth searching: "it" names nothing.
        ("stuck on it, need help with the kafka acl setup", "the kafka acl setup", None),
    ],
)
def test_asks_are_recognized_with_their_topic(text: str, topic: str, echo: str | None) -> None:
    found = find_ask(text)
    assert found is not None
    assert found.topic == topic
    if echo is not None:
        assert found == Ask(topic=topic, echo=echo)


@pytest.mark.parametrize(
    "text",
    [
        # Ordinary updates, including ones about unblocking or helping.
        "shipped the ledger migration",
        "reviewed the kafka retry logic",
        "unblocked the deploy pipeline",
        "helped carol get unstuck on kafka",
        "paired with bob on the kafka consumer, it works now",
        # Over, or never was.
        "I was stuck on the linker for hours, fixed it",
        "no longer blocked on the vpn",
        "stuck on the terraform state lock but fixed it by lunch",
        "don't need help with the migration any more",
        # Rhetorical: answered by the narration itself, or asking nobody.
        "What did I do today? Reviewed PRs",
        "what did I do today?",
        "Guess what? The deploy went green",
        "guess what?",
        "who knew?",
        "What's next?",
        # Nothing to search for.
        "stuck on it for hours",
        "anyone?",
        "blocked on this again",
        # "how do I" asks only in a question.
        "how do I feel about the new release process. mixed",
    ],
)
def test_updates_and_rhetorical_questions_are_not_asks(text: str) -> None:
    assert find_ask(text) is None


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "blocked on <@U123> reviewing the kafka acl PR <https://example.com/pull/1|#1>",
            "reviewing the kafka acl PR",
        ),
        (
            "stuck on @bob's review of https://example.com/x.y the ledger schema",
            "review of the ledger schema",
        ),
        ("stuck on the kafka acl setup, cc <@U123>", "the kafka acl setup"),
        ("need help with <!here> terraform drift", "terraform drift"),
    ],
)
def test_mentions_and_links_are_never_part_of_a_topic(text: str, topic: str) -> None:
    found = find_ask(text)
    assert found is not None and found.topic == topic


@pytest.mark.parametrize(
    "text",
    [
        "stuck on postgres vacuum tuning",
        "can't figure out why the selenium tests time out",
        "anyone know how autovacuum thresholds work?",
        "how do I rotate the vault tokens?",
        "reading. Is the staging elasticsearch cluster read-only?",
        "Stuck on C++ template errors",
        "anybody know about billing/ledger reconciliation?",
    ],
)
def test_the_command_the_reply_names_asks_the_same_question(text: str) -> None:
    """The reply says "/narrate who <topic> shows why": typed, it runs the very search
    that named the people."""
    found = find_ask(text)
    assert found is not None
    command = parse_command(f"who {found.topic}")
    assert command.action == "who"
    assert search_terms(command.arg) == search_terms(found.topic)


def test_a_long_topic_is_cut_at_a_word() -> None:
    found = find_ask("stuck on " + "kafka consumer group rebalancing " * 10)
    assert found is not None
    assert len(found.topic) <= MAX_TOPIC
    assert found.topic.endswith(("kafka", "consumer", "group", "rebalancing"))
