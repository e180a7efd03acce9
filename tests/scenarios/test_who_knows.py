"""Who knows about X: asked in plain words or as a command, answered with people and evidence,
and never with anything the asker (or the channel the answer lands in) couldn't read."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
async def org(chat, clock):
    await chat.say(
        ":channel #infra public",
        ":channel #secret private alice,carol",
        "bob@infra in #infra: /narrate upgraded the kafka brokers, consumer lag fixed",
    )
    clock.advance(timedelta(days=2))
    await chat.say(
        "carol@search in #secret: /narrate kafka streams prototype for the relaunch",
        "dan in dm: /narrate kafka exactly-once notes for my talk",
        "erin@search in #general: /narrate postgres full-text search tuning",
    )
    clock.advance(timedelta(days=3))
    return chat


@pytest.mark.parametrize(
    "line",
    [
        "zoe: @narrate who knows about kafka?",
        "zoe: @narrate anyone know kafka",
        "zoe: @narrate who has worked on Kafka?",
        "zoe: @narrate who can help with kafka??",
    ],
)
async def test_a_mention_in_a_public_channel_is_answered_in_thread(org, line):
    out = await org.say(line)
    assert out.startswith("[#general thread] Who knows about")
    assert "@bob: narrated about" in out and "1 time, last 5 days ago; team infra" in out
    assert "upgraded the kafka brokers" in out and "#infra" in out
    assert "carol" not in out and "dan" not in out  # private channel and DM never leak here


async def test_command_answer_is_private_and_includes_what_the_asker_may_read(org):
    out = await org.say("alice: /narrate who kafka")
    assert out.startswith("[only alice in #general] Who knows about “kafka”")
    assert "@carol: narrated about kafka 1 time" in out and "team search" in out
    assert "#secret, private" in out
    assert "@bob" in out
    assert "dan" not in out  # a DM is never evidence


async def test_non_members_never_see_private_channel_evidence(org):
    out = await org.say("zoe: /narrate who kafka streams relaunch")
    assert "@carol" not in out and "relaunch" not in out.split("\n", 1)[1]


async def test_answer_posted_in_a_channel_only_uses_evidence_that_channel_can_read(org):
    out = await org.say("alice in #secret: @narrate who knows about kafka?")
    assert out.startswith("[#secret thread]")
    assert "@carol" in out  # same private channel: everyone here can read it
    out = await org.say("alice in #infra: @narrate who knows about kafka?")
    assert "@carol" not in out  # #infra readers can't read #secret


async def test_leaving_a_private_channel_removes_its_evidence_at_once(org):
    assert "@carol" in await org.say("alice: /narrate who kafka")
    await org.say(":channel #secret private carol")
    assert "@carol" not in await org.say("alice: /narrate who kafka")


async def test_in_a_dm_questions_are_answered_privately(org):
    out = await org.say("alice in dm: who knows about postgres?")
    assert out.startswith("[dm alice] Who knows about “postgres”")
    assert "@erin" in out


async def test_nobody_found_says_so_with_a_hint(org):
    out = await org.say("zoe: @narrate who knows about cobol?")
    assert "couldn't find anyone" in out and "Try a broader" in out
    out = await org.say("zoe: /narrate who")
    assert "Who knows about what?" in out


async def test_the_asker_is_never_the_answer(org):
    out = await org.say("bob: /narrate who kafka")
    assert "@bob" not in out


async def test_chatter_not_addressed_to_the_bot_is_ignored(org):
    assert await org.say("zoe: who knows about kafka?") == ""
    out = await org.say("zoe: @narrate hello there")
    assert "who knows about <topic>" in out


async def test_more_recent_and_more_evidence_ranks_higher(chat, clock):
    await chat.say("old: /narrate kafka partition rebalancing")
    clock.advance(timedelta(days=400))
    await chat.say("new: /narrate kafka partition rebalancing")
    clock.advance(timedelta(days=1))
    out = await chat.say("zoe: /narrate who kafka rebalancing")
    assert out.index("@new") < out.index("@old")


async def test_at_most_five_people_are_named(chat):
    for i in range(8):
        await chat.say(f"p{i}: /narrate terraform module number {i}")
    out = await chat.say("zoe: /narrate who terraform")
    assert out.count("narrated about terraform") == 5
