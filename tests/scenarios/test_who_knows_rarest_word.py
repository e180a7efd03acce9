"""The question's rarest word reorders the first places (ADR 0006, Follow-up 13): the word is one
someone matched, wherever the asker puts it, and the why-line names it for whoever it moved up.
Every scenario runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.scenarios.test_who_knows_ranking import people


async def _bazel_team(chat, clock) -> None:
    await chat.say("sam: /narrate tuned the bazel remote build cache eviction")
    clock.advance(timedelta(days=1))
    await chat.say(
        *(f"gil: /narrate build cache warmed for service {k}" for k in range(2)),
        *(f"{who}: /narrate build cache flake {who}" for who in ("olga", "oren", "otto", "ozzy")),
        *(f"nina: /narrate release notes draft {k}" for k in range(20)),
    )
    clock.advance(timedelta(hours=2))


async def test_a_word_nobody_narrated_does_not_change_who_comes_first(chat, clock):
    """A word nobody matched ("xyzzy") has the top IDF, tied with a word matched once; it is
    never the rarest word, so where the asker puts it changes nothing."""
    await _bazel_team(chat, clock)
    last = people(await chat.say("zoe: @narrate who knows about bazel build cache xyzzy?"))
    first = people(await chat.say("zoe: @narrate who knows about xyzzy bazel build cache?"))
    plain = people(await chat.say("zoe: @narrate who knows about bazel build cache?"))
    assert first == last == plain, (first, last, plain)
    assert plain[0] == "sam"


async def test_the_why_line_names_the_word_that_put_someone_first(chat, clock):
    """The why-line keeps three word groups, most matched first; a rare word matched once would
    fall off, so for whoever it moved up it is always named."""
    await chat.say(
        "sam: /narrate bazel remote build cache eviction tuned",
        "sam: /narrate remote build cache sized",
        "sam: /narrate build cache warmed",
        "sam: /narrate build flake fixed",
    )
    clock.advance(timedelta(days=30))
    await chat.say(*(f"gil: /narrate remote build cache eviction run {k}" for k in range(6)))
    await chat.say(*(f"nina: /narrate release notes draft {k}" for k in range(20)))
    clock.advance(timedelta(hours=2))
    out = await chat.say("zoe: @narrate who knows about bazel remote build cache eviction?")
    assert people(out)[:2] == ["sam", "gil"], out
    why = [line.strip() for line in out.splitlines() if re.match(r" *\d+\. @", line)]
    # "remote 2 times" makes way for the word that put sam first.
    assert why[0] == (
        "1. @sam: narrated about build 4 times, cache 3 times and bazel and eviction 1 time, "
        "last 4 weeks ago"
    ), out
    # Nobody else's why-line changes: the rule moved gil down.
    assert why[1] == "2. @gil: narrated about remote, build, cache and eviction 6 times, last today"


async def test_the_rarest_word_is_rarer_than_a_common_identifier(chat, clock):
    """ "folding_range in libsodium": the identifier's phrase weighs ×2 in the score, but eleven
    narrations hold it and three hold "libsodium", so "libsodium" is the rarest word: ana, who
    wrote both, goes ahead of those who wrote the identifier once (a common phrase taken for the
    rarest word left her fourth)."""
    await chat.say("ana: /narrate wrapped libsodium for the folding_range handler")
    clock.advance(timedelta(days=20))
    await chat.say(
        *(f"ben: /narrate folding_range tweaks round {k}" for k in range(8)),
        *(f"{who}: /narrate folding_range test fix" for who in ("cy", "dee")),
        *(f"lou: /narrate libsodium upgrade {k}" for k in range(2)),
        *(f"nina: /narrate release notes draft {k}" for k in range(50)),
    )
    clock.advance(timedelta(hours=2))
    out = await chat.say("zoe: @narrate who knows about folding_range in libsodium?")
    assert people(out) == ["ben", "ana", "lou", "cy", "dee"], out
