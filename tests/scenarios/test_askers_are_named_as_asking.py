"""Someone who only asked about a topic is said to have asked about it, not to narrate about it.

Before, "who knows about flink checkpoints?" answered "@dave: narrated about flink and
checkpoint 1 time" when all dave had said was "stuck on the flink checkpoint timeouts, anyone
know?", and a blocker's confirmation said "@dave narrates about it" as if he knew. The ranking
is unchanged: only the words say what the evidence is.
"""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
async def flink(chat, clock):
    await chat.say(
        "alice: /narrate joined the team",
        "erin: /narrate tuned flink checkpoint intervals for the orders job",
        "dave: /narrate stuck on the flink checkpoint timeouts, anyone know?",
    )
    clock.advance(timedelta(days=2))
    return chat


def _line_of(out: str, who: str) -> str:
    return next(line for line in out.splitlines() if f"@{who}:" in line)


async def test_who_knows_says_who_asked_and_who_narrated(flink):
    out = await flink.say("zoe: /narrate who knows flink checkpoint")
    assert "Who knows about “flink checkpoint”:" in out
    assert _line_of(out, "erin").endswith(
        ": narrated about flink and checkpoint 1 time, last 2 days ago"
    )
    assert _line_of(out, "dave").endswith(
        ": asked about flink and checkpoint 1 time, last 2 days ago"
    )
    # Both are still named, in the same order as before: erin's narration is the stronger one.
    assert out.index("@erin:") < out.index("@dave:")


async def test_someone_who_also_narrated_about_it_is_not_said_to_have_only_asked(flink):
    await flink.say("dave: /narrate moved flink checkpoint storage to s3")
    out = await flink.say("zoe: /narrate who knows flink checkpoint")
    assert ": narrated about flink and checkpoint 2 times" in _line_of(out, "dave")
    assert "asked about" not in out


async def test_a_blockers_helpers_are_told_apart_from_those_who_asked_too(flink):
    out = await flink.say("alice: /narrate stuck on flink checkpoint timeouts")
    assert (
        "Stuck on flink checkpoint timeouts? @erin narrates about it, and @dave asked about it "
        "too: /narrate who flink checkpoint timeouts shows why." in out
    ), out


async def test_a_blocker_whose_only_match_asked_too_says_so(chat, clock):
    await chat.say("dave: /narrate blocked on the zookeeper quorum loss, anyone know?")
    clock.advance(timedelta(days=1))
    out = await chat.say("alice: /narrate stuck on zookeeper quorum loss")
    assert (
        "Stuck on zookeeper quorum loss? @dave asked about it too: "
        "/narrate who zookeeper quorum loss shows why." in out
    ), out
    assert "narrates about it" not in out


async def test_people_who_only_asked_leave_the_places_to_people_who_narrate_about_it(chat, clock):
    """Before, three people who had been stuck on it too ranked first and took the three
    places: the one person who had narrated about it wasn't named at all."""
    await chat.say(
        "erin: /narrate moved the kafka consumer group offsets to the new cluster",
        "dave: /narrate stuck on kafka consumer rebalancing, anyone know?",
        "frank: /narrate stuck on kafka consumer rebalancing again",
        "gina: /narrate blocked by kafka consumer rebalancing on every deploy",
    )
    clock.advance(timedelta(days=1))
    out = await chat.say("alice: /narrate stuck on kafka consumer rebalancing")
    assert ("Stuck on kafka consumer rebalancing? @erin narrates about it, and ") in out, out
    assert out.count("asked about it too") == 1 and out.count("@") == 3, out


async def test_people_who_only_asked_come_with_the_open_questions_channel(chat, clock):
    """Nobody found narrates about it: someone else stuck on it too is no answer, so the
    open-questions channel is offered as well (before, only the fellow asker was named)."""
    await chat.say(
        ":channel #questions public",
        "zoe: /narrate questions-channel #questions",
        "dave: /narrate blocked on the zookeeper quorum loss, anyone know?",
    )
    clock.advance(timedelta(days=1))
    out = await chat.say("alice: /narrate stuck on zookeeper quorum loss")
    assert (
        "Stuck on zookeeper quorum loss? @dave asked about it too: /narrate who zookeeper quorum "
        "loss shows why. Only you see this; nobody was told. Want me to post your question in "
        "#questions, so someone there can pick it up?"
    ) in out, out
    assert (
        "(button) Ask in #questions: /narrate ask-channel <#questions> zookeeper quorum loss" in out
    )
