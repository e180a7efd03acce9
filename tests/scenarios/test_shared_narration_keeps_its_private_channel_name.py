"""A narration written in a private channel and shared with the workspace (``/narrate share``)
may be read by anyone there; the channel's name may not. Who-knows answers, profiles and
follow digests say "shared from a private channel" to anyone who isn't one of its members, and
name it only to them (``narrate.written_where``), as the questions channel and schedules do."""

from __future__ import annotations

import pytest

HIDDEN = "shared from a private channel"


@pytest.fixture
async def shared(chat):
    await chat.say(
        ":channel #zanzibar-deal private alice,bob",
        "bob in #zanzibar-deal: /narrate kafka mirror maker for the audit",
        "bob in #zanzibar-deal: /narrate share 1",
    )
    return chat


async def test_who_knows_tells_an_outsider_only_that_it_came_from_a_private_channel(shared):
    answer = await shared.say("zoe: /narrate who kafka")
    assert "@bob" in answer and "kafka mirror maker" in answer  # shared: zoe may read it
    assert "zanzibar-deal" not in answer, answer
    assert HIDDEN in answer


async def test_who_knows_names_it_to_a_member(shared):
    answer = await shared.say("alice: /narrate who kafka")
    assert "#zanzibar-deal, private" in answer and HIDDEN not in answer


async def test_an_answer_in_a_public_channel_names_it_to_nobody(shared):
    """Alice is a member, but the answer is read by everyone in #general."""
    answer = await shared.say("alice: @narrate who knows about kafka?")
    assert "[#general thread] Who knows about “kafka”" in answer
    assert "zanzibar-deal" not in answer and HIDDEN in answer


async def test_an_answer_in_the_channel_itself_names_it(shared):
    answer = await shared.say("alice in #zanzibar-deal: @narrate who knows about kafka?")
    assert "#zanzibar-deal, private" in answer


async def test_a_profile_names_it_only_to_members(shared):
    profile = await shared.say("zoe: /narrate profile @bob")
    assert "kafka mirror maker" in profile
    assert "zanzibar-deal" not in profile and HIDDEN in profile
    assert "#zanzibar-deal, private" in await shared.say("alice: /narrate profile @bob")


async def test_a_follow_digest_names_it_to_nobody_outside(shared):
    out = await shared.say("zoe: /narrate follow kafka", ":advance 1h")  # Monday 09:00 UTC
    digest = out.split("[dm zoe] New this week", 1)[1]
    assert "kafka mirror maker" in digest
    assert "zanzibar-deal" not in digest and HIDDEN in digest


async def test_an_unshared_narration_is_still_named_to_members(chat):
    out = await chat.say(
        ":channel #zanzibar-deal private alice,bob",
        "bob in #zanzibar-deal: /narrate kafka mirror maker for the audit",
        "alice: /narrate follow kafka",
        ":advance 1h",
    )
    assert "#zanzibar-deal, private" in out.split("[dm alice] New this week", 1)[1]
    assert "#zanzibar-deal, private" in await chat.say("alice: /narrate who kafka")
