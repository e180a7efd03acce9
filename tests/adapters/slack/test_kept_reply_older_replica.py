"""A reply kept past a rate limit stays readable by a replica one version older.

During a rolling deploy the replica that sends a kept reply may run the version before the one
that kept it. ``Reply`` forbids keys it doesn't know, so a field added to what is kept (here
``Named.topic``, used only by topic maps) written everywhere, even as null, made the older
replica give up every kept who-knows answer, help offer and profile with the "couldn't deliver"
note. Kept replies leave out what is at its default.
"""

from __future__ import annotations

from narrate_bot.replies import Named, Reply, Visibility
from narrate_bot_adapters.slack.later import _stored

# ``Named``'s fields in the version before ``topic`` was added (1e89f9d^).
NAMED_BEFORE_TOPIC = {"person_id", "question", "profile", "own"}


def test_a_kept_answer_naming_people_holds_only_what_the_older_version_reads() -> None:
    answer = Reply(
        text="@ana knows about kafka",
        visibility=Visibility.DIRECT,
        people=(Named(person_id=1, question="kafka"), Named(person_id=2, profile="team payments")),
    )
    kept = _stored(answer)
    assert kept["people"], kept
    for named in kept["people"]:
        assert set(named) <= NAMED_BEFORE_TOPIC, named
    assert Reply.model_validate(kept) == answer


def test_a_kept_topic_map_keeps_its_topics() -> None:
    topics = Reply(
        text="1. kafka: @ana",
        visibility=Visibility.DIRECT,
        people=(Named(person_id=1, topic="kafka"),),
    )
    kept = _stored(topics)
    assert kept["people"] == [{"person_id": 1, "topic": "kafka"}]
    assert Reply.model_validate(kept) == topics
