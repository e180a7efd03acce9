"""/narrate profile: what a person narrates about; everything for yourself, only what you may
read for anyone else. Mentions arrive as @name (console) or <@U123> (Slack, Discord)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def org(chat):
    await chat.say(
        ":channel #secret private alice,carol",
        "carol@search: /narrate kafka streams prototype",
        "carol in #secret: /narrate zanzibar acquisition kafka diligence",
        "carol in dm: /narrate quokka private musings",
        "carol: /narrate ask-me-about kafka",
        "carol: /narrate hide-me postgres",
    )
    return chat


async def test_my_own_profile_shows_everything(org):
    out = await org.say("carol: /narrate profile")
    assert "Your profile (team search)" in out
    assert "kafka (2)" in out
    assert "quokka private musings" in out and "a DM with me" in out
    assert "zanzibar" in out and "#secret, private" in out
    assert "Happy to be asked about: kafka." in out
    assert "Hidden from answers about: postgres." in out
    assert out == await org.say("carol: /narrate profile @carol")


@pytest.mark.parametrize("mention", ["@carol", "@Carol", "<@carol>", "<@carol|Carol>", "<@!carol>"])
async def test_others_see_only_what_they_may_read(org, mention):
    out = await org.say(f"zoe: /narrate profile {mention}")
    assert "@carol (team search), as far as you can read:" in out
    assert "Narrates about: kafka (1)" in out
    assert "streams prototype" in out
    assert "zanzibar" not in out and "quokka" not in out
    assert "Hidden from" not in out  # hidden topics are her business
    assert "Happy to be asked about: kafka." in out


async def test_a_member_of_the_private_channel_sees_its_narrations(org):
    out = await org.say("alice: /narrate profile @carol")
    assert "zanzibar" in out and "kafka (2)" in out and "quokka" not in out


async def test_unknown_people_and_bad_mentions_get_a_friendly_answer(org):
    assert "I don't know anyone called @nobody" in await org.say("zoe: /narrate profile @nobody")
    out = await org.say("zoe: /narrate profile #general")
    assert "Whose profile?" in out
    assert "I have nothing about you yet" in await org.say("zoe: /narrate profile")
    out = await org.say("zoe: /narrate profile page redesign shipped")  # work, not a lookup
    assert "Noted as #" in out and "If you meant someone's profile" in out


async def test_people_who_left_are_not_profiled_to_others(org):
    await org.say("carol: /narrate leave")
    out = await org.say("zoe: /narrate profile @carol")
    assert "isn't taking part" in out and "kafka" not in out
    out = await org.say("carol: /narrate profile")
    assert "You aren't enrolled" in out and "kafka" in out


async def test_profiles_never_cross_tenants(chat, bot):
    """Two workspaces with the same user id: each profile only shows its own workspace."""
    from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef

    await chat.say("carol: /narrate kafka streams in the console workspace")

    def command(tenant: str, user: str, text: str) -> CommandInvoked:
        return CommandInvoked(
            event_id=f"{tenant}-{user}-{text}",
            tenant=TenantRef(platform=Platform.SLACK, tenant_id=tenant),
            user=UserRef(user_id=user, display_name=user),
            channel=ChannelRef(channel_id="general", name="general"),
            occurred_at=chat.adapter.clock.now(),
            command="narrate",
            text=text,
        )

    await bot.handle(command("T2", "carol", "postgres vacuum in another workspace"))
    [reply] = await bot.handle(command("T2", "zoe", "profile <@carol>"))
    assert "postgres" in reply.text and "kafka" not in reply.text
