"""Which narrations ask for help or report a blocker, and what about (English phrasing only)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from narrate_bot.knowledge import asks
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
        # A chore to bear, not a problem to solve.
        "Stuck with the on-call pager this week, so fewer PRs from me.",
        "stuck with meetings all day on the reorg",
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


@pytest.mark.parametrize(
    "text",
    [
        # Chat that ends with "?": a hope, a tag, a poll, a question to the reader.
        "Pushed the fix to prod. Fingers crossed?",
        "Shipped the release. Can you believe it?",
        "Closed 12 tickets today. Not bad for a Monday, right?",
        "Spent the day on the kubernetes upgrade, does anyone else hate helm as much as I do?",
        "Released the new onboarding flow. Did you see the conversion numbers?",
        "Merged the dark mode PR. Did anyone else notice the new icons?",
        "Finished the quarterly planning doc. Any thoughts?",
        "Demo of the billing dashboard at 3pm tomorrow. See you there?",
        "Migrated the last service to the new cluster. Who's ready for the weekend?",
        "Wrapped up the terraform refactor, finally. Isn't that nice?",
        "Deployed the search reindex. What could possibly go wrong?",
        "Spent the morning in meetings about the roadmap. Is it Friday yet?",
        "Reviewed five PRs on the payments service. Why is everything urgent?",
        "Wrote the postmortem for the outage. Lessons learned, eh?",
        "The flaky selenium tests are green again. How about that?",
        "Cleaned up the staging database, 40 GB freed. Who knew it was that big?",
        "Who wants coffee?",
        # Reports of answering or helping: the question was someone else's.
        "Answered a question in #help: how do I rotate the vault tokens?",
        "answered: how do I configure the grafana alert routing?",
        "Answered: how do I rotate the vault tokens? Use vault token renew with the periodic role.",
        "Helped bob with the question: how can we shard the ledger table?",
        "answered: Why does the ledger export time out? [ledger]\nStuck on the export since May.",
    ],
)
def test_updates_that_end_with_a_question_are_not_asks(text: str) -> None:
    assert find_ask(text) is None, find_ask(text)


@pytest.mark.parametrize(
    "text",
    [
        # A line, a bullet or a paragraph of the author's own after the question answered.
        "Answered a question in #help: how do I rotate the vault tokens?\nStuck on kafka acls",
        "answered: how do I rotate the vault tokens?\n\nneed help with kafka acls",
        "- answered bob: how do I rotate the vault tokens?\n- blocked on kafka acls",
        "1. answered bob: how do I rotate the vault tokens?\n2. stuck on kafka acls",
        "• answered bob: how do I rotate the vault tokens?\n• stuck on kafka acls",
        "answered: how do I rotate the vault tokens?\nUse the periodic role.\nStuck on kafka acls",
        "answered: how do I rotate the vault tokens?\nQ: how do we set up the kafka acls?",
        # A standup section, or an own blocker behind an emoji.
        "answered: how do I rotate the vault tokens?\nToday: stuck on kafka acls",
        "answered: how do I rotate the vault tokens?\n:warning: blocked on kafka acls",
    ],
)
def test_the_quote_after_answered_ends_before_the_authors_own_line(text: str) -> None:
    found = find_ask(text)
    assert found is not None and found.topic.endswith("kafka acls"), found


@pytest.mark.parametrize(
    "text",
    [
        # Its own line, and a pasted post's next lines: a question's body, a line about it.
        "Answered a question in #help: how do I rotate the vault tokens? Stuck on kafka acls",
        "answered: Can I split the vault tokens? [vault]\nDoes anyone know the kafka acl format?",
        "answered: Why does the ledger export time out? [ledger]\nStuck on the ledger since May.",
    ],
)
def test_the_quote_after_answered_runs_on_through_its_post(text: str) -> None:
    assert find_ask(text) is None, find_ask(text)


@pytest.mark.parametrize(
    "text",
    [
        # After a header ("answered …:" and nothing after the colon) the lines it introduces.
        "Answered a couple of questions in #help:\n- how do I rotate the vault tokens?\n"
        "- anyone know the kafka acl format?",
        "Replied to two threads in #eng:\n1. how do I rotate the vault tokens?\n"
        "2. does anyone know why the ledger export times out?",
        "answered bob's question:\n• how do I rotate the vault tokens?",
        "Answered a question in #help:\n\nHow do I rotate the vault tokens?",
        "answered bob in #help:\nQ: how do I rotate the vault tokens?",
        "Explained to the new hires:\n- how do we deploy the ledger service?\n"
        "- what is the on-call rota?",
        "Answering questions today:\n* how do I request access to the kafka cluster?\n"
        "* which datasource should we use for grafana?",
        "Replied to this in #help:\n> how do I rotate the vault tokens?\n"
        "> stuck on the kafka acls rollout because of it",
        # An item nested under the quoted one is still about it.
        "- answered bob: how do I rotate the vault tokens?\n"
        "  - he asked: does the periodic role work with kubernetes auth?",
        # A later line about any quoted line's topic is still the quote.
        "Answered a question in #help:\nhow do I rotate the vault tokens?\n"
        "stuck on the vault tokens since May, they said",
    ],
)
def test_the_lines_after_an_answered_header_are_the_quote(text: str) -> None:
    assert find_ask(text) is None, find_ask(text)


@pytest.mark.parametrize(
    "text",
    [
        # Neither a blank line nor a bullet ends a quote: someone else's post, pasted whole.
        "Answered two questions in #help: :point_down:\n• how do I rotate the vault tokens?\n"
        "• anyone know the kafka acl format?",
        "Answered two questions in #help: both from the new hires\n"
        "- how do I rotate the vault tokens?\n- anyone know the kafka acl format?",
        # Slack sends "> " as "&gt; ".
        "Answered two in #help:\n&gt; how do I rotate the vault tokens?\n\n"
        "&gt; anyone know the kafka acl format?",
        "Answered this in #help:\n\nHi team,\n\n"
        "Does anyone know how to rotate the vault tokens? Tried the docs.",
        "answered bob's question in #help: pasting it below\n\n"
        "> does anyone know how to rotate the vault tokens?",
        "answered: see thread\n\nhow do I rotate the vault tokens?",
        "answered carol in #help: how do I rotate the vault tokens?\n\n"
        "then she asked: anyone know the kafka acl format?",
        "answered bob: how do I rotate the vault tokens?\n- context: he's on payments\n"
        "- his follow-up: anyone know the kafka acl format?",
        "Answered a thread in #help:\n\nbob: how do I rotate the vault tokens?\n\n"
        "me: periodic role\n\nbob: anyone know the kafka acl format too?",
        "Answered in #help:\r\n\r\nHow do I rotate the vault tokens?\r\n\r\n"
        "Anyone know the kafka acl format?",
    ],
)
def test_a_quote_after_answered_runs_on_past_blank_lines_and_bullets(text: str) -> None:
    assert find_ask(text) is None, find_ask(text)


def test_questions_that_nothing_answers_leave_the_budget_to_a_later_blocker() -> None:
    text = (
        "Does anyone know? Has anyone seen it? Anyone tried? Does anyone have time today?\n"
        "stuck on the ledger export timeouts"
    )
    found = find_ask(text)
    assert found is not None and found.topic == "the ledger export timeouts", found


def test_an_own_line_after_an_answered_header_and_its_list_still_asks() -> None:
    text = "Helped out in #help today. Answered:\n- how do I rotate the vault tokens?\n"
    found = find_ask(text + "Stuck on kafka acls")
    assert found is not None and found.topic == "kafka acls", found


@pytest.mark.parametrize(
    "text",
    [
        # After "Q:" a decision or a finding is the answer, whatever words it uses.
        "Q: how do we rotate the vault tokens? We decided to use the cron job.",
        "Q: how do we rotate the vault tokens?\nWe went with a cron job.",
        "Q: how do we rotate the vault tokens?\nIn the end we went with a cron job.",
        "Q: anyone know which datasource to use for grafana? We agreed on prometheus.",
        "Q: does anyone know why the ledger export times out? Turns out it was a missing index.",
        "Q: how do we version the protobuf schemas? Settled on buf with a monorepo.",
        "Q: how do I get access to the kafka cluster? The answer is: file a ticket with infra.",
        "Standup notes\nQ: how do we rotate the vault tokens?\nDecided: cron job in the infra"
        " repo.\nQ: anyone know the kafka acl format?\nA: see the wiki",
    ],
)
def test_after_q_a_decision_or_finding_is_the_answer(text: str) -> None:
    assert find_ask(text) is None, find_ask(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "does anyone else know how to configure the helm chart secrets?",
            "how to configure the helm chart secrets",
        ),
        (
            "Why does the ledger export time out on large accounts?",
            "Why does the ledger export time out on large accounts",
        ),
        (
            "Is there a way to run the integration tests against a local kafka?",
            "Is there a way to run the integration tests against a local kafka",
        ),
        (
            "Which grafana datasource should we use for the new cluster's logs? Thanks",
            "Which grafana datasource should we use for the new cluster's logs",
        ),
        (
            "Spent the morning on the webhook retries. Where are the dead letters stored?",
            "Where are the dead letters stored",
        ),
        ("Who owns the billing proration service?", "Who owns the billing proration service"),
    ],
)
def test_questions_that_seek_a_fact_or_a_way_are_asks(text: str, topic: str) -> None:
    found = find_ask(text)
    assert found is not None and found.topic == topic, found


def test_a_long_question_keeps_its_end_where_the_subject_is() -> None:
    found = find_ask(
        "Quick fix to get the build green, but what really is the right answer for Windows?"
    )
    assert found == Ask(
        topic="what really is the right answer for Windows",
        echo="Asking “what really is the right answer for Windows?”",
    )
    found = find_ask(
        "Tried the cache flags. What is the right way to keep the gradle build cache warm on "
        "ephemeral CI runners for Windows and macOS?"
    )
    assert found == Ask(
        topic="keep the gradle build cache warm on ephemeral CI runners for Windows and macOS",
        echo="Asking “…keep the gradle build cache warm on ephemeral CI runners for Windows and "
        "macOS?”",
    )
    assert len(found.topic) <= MAX_TOPIC


class _Counting:
    """A compiled pattern that counts the characters each use of it may read."""

    def __init__(self, pattern: re.Pattern[str], read: list[int]) -> None:
        self._pattern, self._read = pattern, read

    def _span(self, text: str, pos: int = 0, endpos: int | None = None) -> None:
        self._read[0] += max(0, min(len(text), len(text) if endpos is None else endpos) - pos)

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        self._span(text, *args)
        return self._pattern.search(text, *args)

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        self._span(text, *args)
        return self._pattern.match(text, *args)

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        # Read lazily: what was read is up to the last match taken, or all when exhausted.
        at = args[0] if args else 0
        for match in self._pattern.finditer(text, *args):
            self._read[0] += max(0, match.end() - at)
            at = max(at, match.end())
            yield match
        self._span(text, at, *args[1:])

    def sub(self, repl: str, text: str, *args: int) -> str:
        self._span(text)
        return self._pattern.sub(repl, text, *args)

    def split(self, text: str, *args: int) -> list[str]:
        self._span(text)
        return self._pattern.split(text, *args)

    @property
    def pattern(self) -> str:
        return self._pattern.pattern


@pytest.mark.parametrize("size", [4_000, 16_000, 100_000])
@pytest.mark.parametrize(
    "unit",
    ["does anyone know ", "stuck on it, ", "how do I, ", "x. ", "anyone? thanks? ", "why, "],
)
def test_recognizing_reads_a_long_narration_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, unit: str, size: int
) -> None:
    """Narrations may be 100,000 characters and are read on the event loop: every pattern's
    reads together stay within a constant times the narration's length (400 cues of "does
    anyone know " in 4,000 characters each read the whole sentence: 160-230 ms, 3.5 s at
    16,000). Counted, not timed."""
    read = [0]
    for name, value in list(vars(asks).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(asks, name, _Counting(value, read))
    if hasattr(asks, "_CUES"):
        monkeypatch.setattr(
            asks, "_CUES", tuple((getattr(asks, _name_of(p)), *rest) for p, *rest in asks._CUES)
        )
    text = (unit * (size // len(unit) + 1))[:size] + "?"
    asks.find_ask(text)
    assert read[0] <= 40 * len(text), read[0] / len(text)


def _name_of(pattern: re.Pattern[str]) -> str:
    return next(n for n, v in vars(asks).items() if getattr(v, "_pattern", None) is pattern)
