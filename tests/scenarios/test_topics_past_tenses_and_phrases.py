"""Topics of work done, through the console.

"migrated the billing db" left the migration out: "migrating" was counted with it (a curated
"-ing" to "-ion" list), "migrated" wasn't. Subjects in "-ed" ("distributed", "embedded") stay.
"""

from __future__ import annotations

import re


def _topics_of_confirmation(out: str) -> list[str]:
    found = re.search(r"Topics: (.+?)\.\n", out)
    assert found, out
    return found.group(1).split(", ")


def _profile_topics(out: str) -> str:
    return next(line for line in out.splitlines() if "Narrates about" in line)


async def test_a_migration_done_counts_with_one_under_way(chat):
    out = await chat.say("alice: /narrate migrated the billing db to the new cluster")
    assert _topics_of_confirmation(out) == ["migration", "billing", "cluster"]
    await chat.say(
        "bob: /narrate migrating the payroll database",
        "carol: /narrate invalidated the stale cache entries after the billing migration",
    )
    out = await chat.say("zoe: /narrate topics")
    assert "migration: 3 narrations · @alice (1), @bob (1), @carol (1)" in out, out
    assert "invalidation: 1 narration · @carol (1)" in out, out
    for word in ("migrated", "migrating", "invalidated"):
        assert word not in out, out
    out = await chat.say("zoe: /narrate profile @alice")
    assert re.search(r"\bmigration \(1\)", _profile_topics(out)), out


async def test_subjects_in_ed_stay_as_they_are(chat):
    out = await chat.say("alice: /narrate distributed systems on embedded devices")
    assert _topics_of_confirmation(out) == ["distributed", "system", "embedded", "device"]
    out = await chat.say("bob: /narrate managed identity for the billing api")
    assert _topics_of_confirmation(out) == ["identity", "billing", "api"]
    # "simulated annealing" is about annealing, not a simulation; "generated" is Go's.
    out = await chat.say("carol: /narrate simulated annealing over the generated code")
    assert _topics_of_confirmation(out) == ["annealing", "generated"]
