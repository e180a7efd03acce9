"""Guests (and people from other organisations) can't open the workspace's channels, so the bot
never shows them what members narrated; and an answer in a channel shared with another
organisation goes to the asker alone."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from narrate_bot.features.members_only import MEMBERS_ONLY
from narrate_bot.storage import repositories as repo
from narrate_bot_adapters.console.adapter import TENANT


@pytest.fixture
async def org(chat):
    await chat.say(
        ":channel #infra public",
        ":channel #partner shared alice,pat",
        ":guest pat",
        "bob@infra in #infra: /narrate upgraded the kafka brokers, consumer lag fixed",
        "alice@payments: /narrate ledger rounding fix for the kafka consumer",
        "alice: /narrate intros join",
    )
    return chat


@pytest.mark.parametrize(
    "line",
    [
        "pat: /narrate who kafka",
        "pat in #partner: @narrate who knows about kafka?",
        "pat in dm: who knows about kafka?",
        "pat: /narrate topics",
        "pat: /narrate profile @bob",
    ],
)
async def test_a_guest_is_told_what_is_for_members_and_sees_nothing_of_theirs(org, line):
    out = await org.say(line)
    assert MEMBERS_ONLY.split(",")[0] in out
    assert "kafka brokers" not in out and "@bob" not in out
    assert "[#partner" not in out  # the refusal is for the guest alone


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        ("pat: /narrate intros join", "Introductions are made from what people narrated"),
        ("pat: /narrate ask-channel cobol mainframes", "The open-questions channel is where"),
    ],
)
async def test_a_guest_is_told_what_the_refused_thing_is(org, line, refusal):
    out = await org.say(line)
    assert refusal in out and "members only" in out
    assert "That shows what people narrated" not in out


async def test_a_guest_can_still_narrate_and_manage_their_own(org):
    assert "Noted as #1" in await org.say("pat in #partner: /narrate partner api sandbox is up")
    assert "partner api sandbox" in await org.say("pat: /narrate mine")
    assert "I have nothing about you yet" not in await org.say("pat: /narrate profile")


async def test_a_member_still_gets_answers(org):
    out = await org.say("zoe: /narrate who kafka")
    assert "@bob" in out and "kafka brokers" in out


async def test_an_answer_in_a_shared_channel_goes_to_the_asker_alone(org):
    out = await org.say("alice in #partner: @narrate who knows about kafka?")
    assert out.startswith("[only alice in #partner] Who knows about")
    assert "@bob" in out and "kafka brokers" in out
    assert "[#partner thread]" not in out


async def test_a_digest_in_a_shared_channel_holds_only_what_was_narrated_there(org):
    await org.say(
        "alice in #partner: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice@payments in #partner: /narrate partner kafka sandbox is ready",
        "carol@search in #general: /narrate kafka consumer lag tuning",
    )
    out = await org.say(":advance 5d")
    assert "[#partner] This week, as #partner can see it: 1 narration" in out
    assert "consumer lag" not in out and "kafka brokers" not in out


async def test_the_same_digest_in_an_ordinary_private_channel_includes_public_work(org):
    await org.say(
        ":channel #team private alice,carol",
        "alice in #team: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice@payments in #team: /narrate partner kafka sandbox is ready",
        "carol@search in #general: /narrate kafka consumer lag tuning",
    )
    out = await org.say(":advance 5d")
    assert "[#team] This week, as #team can see it:" in out
    assert "1 narration" not in out  # the public narrations of the week are in it too


async def _week(bot, chat, clock) -> list[tuple[str, ...]]:
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return [tuple(sorted(p.to_users)) for p in posts if p.to_users]


async def _three_in_introductions(chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "erin@infra: /narrate intros join",
        "alice: /narrate kafka consumer lag on the ledger",
        "carol: /narrate kafka consumer lag on the indexer",
        "erin: /narrate kafka broker upgrade",
    )
    clock.advance(timedelta(days=1))


async def test_a_member_who_became_a_guest_is_left_out_of_the_next_introductions(bot, chat, clock):
    await _three_in_introductions(chat, clock)
    await chat.say(":guest alice", "alice: /narrate partner sandbox is ready")
    before = len(chat.out.getvalue())
    assert await _week(bot, chat, clock) == [("carol", "erin")]
    week = chat.out.getvalue()[before:]
    assert "Introduction #" in week and "alice" not in week


async def test_the_three_are_introduced_while_all_are_members(bot, chat, clock):
    await _three_in_introductions(chat, clock)
    assert await _week(bot, chat, clock) == [("alice", "carol", "erin")]


async def test_the_platform_word_on_guests_is_stored_and_follows_it_back(db, clock):
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session, platform="console", external_id="T1", name="t", now=clock.now()
        )
        assert tenant.id is not None

        async def seen(guest: bool | None) -> bool:
            person = await repo.ensure_person(
                session,
                tenant_id=tenant.id,
                user_id="U1",
                display_name="u",
                now=clock.now(),
                guest=guest,
            )
            return person.guest

        assert await seen(True)
        assert await seen(None)  # the platform said nothing: as stored
        assert not await seen(False)


async def test_the_export_says_whether_we_took_the_person_for_a_guest(org):
    await org.say("pat in #partner: /narrate partner api sandbox is up")
    out = await org.say("pat: /narrate export")
    exported = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert exported["person"]["guest"] is True


async def test_a_guest_asking_for_stats_isnt_invited_to_join(org):
    out = await org.say("pat: /narrate stats")
    assert "No introductions yet." in out and "intros join" not in out
    assert "intros join" in await org.say("zoe: /narrate stats")
