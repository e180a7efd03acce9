"""Topics after the review of the benchmark maps, through the console.

"migrated the billing db" left the migration out ("migrating" was counted with it, "migrated"
wasn't); "out-of-the-box", "on-the-fly" and "the state of the art" put "box", "fly" and
"art" on the map; formulas gave "psi_1", "u_1" and "neq" (TeX's ``\\psi_1``, ``\\neq``), a
vendored commit "b9a3ad9", and an emphasised "_why_" was a topic of its own.
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


async def test_phrases_made_one_word_put_no_word_of_theirs_on_the_map(chat):
    out = await chat.say("alice: /narrate out-of-the-box decoders, on-the-fly surface codes")
    assert _topics_of_confirmation(out) == ["decoder", "surface"]
    out = await chat.say("bob: /narrate the state of the art in quantum memory, state-of-art too")
    assert _topics_of_confirmation(out) == ["quantum", "memory"]
    out = await chat.say("carol: /narrate at-least-once delivery, run-of-the-mill parser")
    assert _topics_of_confirmation(out) == ["delivery", "parser"]
    # Subjects written with hyphens are as before: whole, or their words.
    out = await chat.say(
        "dave: /narrate end-to-end tests for multi-tenant billing with an in-memory cache"
    )
    assert _topics_of_confirmation(out) == ["test", "tenant", "billing", "in-memory", "cache"]
    out = await chat.say("erin: /narrate range-over-func iterators and slice-to-array")
    assert _topics_of_confirmation(out) == ["range", "func", "iterator", "slice", "array"]
    out = await chat.say("zoe: /narrate topics")
    for word in ("box", "fly", "art", "state", "least", "mill", "out-of-the-box", "on-the-fly"):
        assert f" {word}:" not in out, out


async def test_formulas_commits_and_emphasis_are_no_topics(chat):
    out = await chat.say(
        r"alice: /narrate bell states $|\psi_1\rangle\otimes|u_1\rangle$ with $Z\neq I$"
    )
    assert _topics_of_confirmation(out) == ["bell", "state"]
    out = await chat.say(
        "bob: /narrate gopls vulncheck: sync x/vuln@b9a3ad9, diagnose _why_ it is orphaned"
    )
    topics = _topics_of_confirmation(out)
    assert topics == ["gopls", "vulncheck", "sync", "vuln"], topics
    out = await chat.say("zoe: /narrate profile @alice")
    for word in ("psi_1", "u_1", "neq", "rangle", "otimes"):
        assert word not in _profile_topics(out), out
