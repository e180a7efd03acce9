"""Topics say what the work is about, not when, who, how or what was done: through the console.

Before, "the migration lock until monday, nobody has it" was confirmed with "Topics:
migration, lock, monday, nobody", "rebalanced the kafka partitions" with "rebalanced" as a topic,
"migrating the payroll vault" with "migrating", and "privately", "mine" or "drafted" reached the
topic map and profiles. Day and month names, pronouns, adverbs in "-ly", past tenses in "-ed"
and verbs of doing in "-ing" are no topics now (a few are their field: "migrating" is counted
as "migration") (words in "-ed" that name a subject, "embedded"
or "distributed", and "-ing" subjects like "tracing" or "rebalancing" stay), and topics stored by
earlier versions are read the same way, without rewriting anyone's narrations.
"""

from __future__ import annotations

import re

from tests.scenarios.test_topics_name_subjects import stored_as_before

NOT_SUBJECTS = (
    "monday",
    "nobody",
    "mine",
    "privately",
    "drafted",
    "rebalanced",
    "rotated",
    "migrating",
)


def _topics_of_confirmation(out: str) -> list[str]:
    found = re.search(r"Topics: (.+?)\.\n", out)
    assert found, out
    return found.group(1).split(", ")


async def test_a_narration_is_confirmed_with_its_subjects_only(chat):
    out = await chat.say("alice: /narrate the migration lock until monday, nobody has it")
    assert _topics_of_confirmation(out) == ["migration", "lock"]
    out = await chat.say(
        "bob: /narrate rebalanced the kafka partitions and drafted the zookeeper runbook"
    )
    assert _topics_of_confirmation(out) == ["kafka", "partition", "zookeeper", "runbook"]
    out = await chat.say("alice: /narrate privately rotated the vault credentials")
    # "rotated", like "rotating", is the work of a rotation (``topics._ED_TO_ION``).
    assert _topics_of_confirmation(out) == ["rotation", "vault", "credential"]
    out = await chat.say("alice: /narrate migrating the payroll vault to hsm; that lag is mine")
    # "migrating" is the work of a migration, counted with it (``topics._ING_TO_ION``).
    assert _topics_of_confirmation(out) == ["migration", "payroll", "vault", "hsm", "lag"]
    # Words in "-ed", "-eed" and "-ing" that name a subject stay topics.
    out = await chat.say(
        "carol: /narrate embedded distributed tracing: the speed while rebalancing"
    )
    assert _topics_of_confirmation(out) == [
        "embedded",
        "distributed",
        "tracing",
        "speed",
        "rebalancing",
    ]


async def test_the_map_and_profiles_leave_out_what_was_stored_before(db, chat):
    await chat.say(
        "bob: /narrate rebalanced the kafka partitions and drafted the zookeeper runbook",
        "bob: /narrate privately rotated the kafka credentials on monday",
        "carol: /narrate migrating the kafka brokers, nobody else owns them",
    )
    # As an earlier version stored them: every one of these words was a topic.
    await stored_as_before(db, containing="rebalanced", added=("rebalanced", "drafted"))
    await stored_as_before(db, containing="privately", added=("privately", "rotated", "monday"))
    await stored_as_before(db, containing="migrating", added=("migrating", "nobody", "mine"))
    out = await chat.say("zoe: /narrate topics")
    assert "1. kafka: 3 narrations · @bob (2), @carol (1)" in out, out
    for word in NOT_SUBJECTS:
        assert f" {word}:" not in out, out
    out = await chat.say("zoe: /narrate profile @bob")
    topics_line = next(line for line in out.splitlines() if "Narrates about" in line)
    assert re.search(r"\bkafka \(2\)", topics_line), topics_line
    for word in NOT_SUBJECTS:
        assert not re.search(rf"\b{word}\b", topics_line), topics_line
    # Nothing stored was changed: the narrations read as written.
    assert "privately rotated the kafka credentials on monday" in await chat.say(
        "bob: /narrate mine"
    )
