"""The question's rarest word reorders the first places (ADR 0006, Follow-up 13): the word is one
someone matched, wherever the asker puts it, and the why-line names it for whoever it moved up.
Every scenario runs on SQLite and PostgreSQL."""

from __future__ import annotations

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
