"""Nobody found: say so, and offer to post the question to the workspace's open-questions
channel. Anyone may choose the channel while none is set; after that only admins change it."""

from __future__ import annotations

import pytest

from narrate_bot.events import CommandInvoked, Platform
from narrate_bot.replies import Post


async def test_without_a_channel_the_offer_says_how_to_set_one(chat):
    out = await chat.say("zoe: /narrate who knows about cobol")
    assert "couldn't find anyone" in out
    assert "No open-questions channel is set up yet" in out
    assert "/narrate questions-channel #channel" in out
    assert "(button)" not in out
    assert "No open-questions channel" in await chat.say("zoe: /narrate ask-channel cobol?")


async def test_the_offer_posts_only_what_the_asker_wrote(chat):
    await chat.say(
        ":channel #questions public",
        ":channel #secret private alice",
        "alice in #secret: /narrate zanzibar secret plans",
    )
    out = await chat.say("zoe: /narrate questions-channel #questions")
    assert "Open questions now go to #questions" in out
    out = await chat.say("zoe: @narrate who knows about cobol mainframes?")
    assert "(button) Ask in #questions: /narrate ask-channel <#questions> cobol mainframes" in out
    out = await chat.say("zoe: /narrate ask-channel <#questions> cobol mainframes")
    assert out.splitlines() == [
        "[#questions] @zoe is looking for someone who knows about “cobol mainframes”. "
        "Can you help? Reply in this thread.",
        "[console] posted as m1: reply in #questions thread m1",
        "[only zoe in #general] Posted your question in #questions; replies will come there.",
    ]


async def test_a_question_typed_as_who_knows_asks_about_its_topic(chat):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    out = await chat.say("zoe: /narrate ask-channel #questions who knows about cobol?")
    assert "someone who knows about “cobol”." in out


async def test_a_question_cannot_ping_or_link_others(chat):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    out = await chat.say("zoe: /narrate ask-channel #questions <!here> <@U1> @everyone cobol?")
    first = out.splitlines()[0]
    assert "<!here>" not in first and "U1" not in first and "@everyone" not in first
    assert "“everyone cobol”" in first
    assert "What should I ask?" in await chat.say("zoe: /narrate ask-channel <!channel>")
    assert "up to 300 characters" in await chat.say("zoe: /narrate ask-channel " + "x" * 301)


async def test_once_set_only_admins_change_the_channel(chat):
    await chat.say(":channel #questions public", ":channel #help public")
    assert "No open-questions channel" in await chat.say("zoe: /narrate questions-channel")
    await chat.say("zoe: /narrate questions-channel #questions")
    out = await chat.say("bob: /narrate questions-channel #help")
    assert "only a workspace admin can change that. Nothing was changed." in out
    assert "Open questions go to #questions" in await chat.say("bob: /narrate questions-channel")
    assert "only a workspace admin" in await chat.say("bob: /narrate questions-channel off")
    await chat.say(":admin ann")
    assert "now go to #help" in await chat.say("ann: /narrate questions-channel #help")
    assert "no longer offer" in await chat.say("ann: /narrate questions-channel off")
    assert "no open-questions channel to turn off" in await chat.say(
        "ann: /narrate questions-channel off"
    )


async def test_questions_channel_bad_input(chat):
    out = await chat.say("zoe: /narrate questions-channel #never-seen")
    assert "I haven't seen #never-seen yet" in out
    assert "isn't a channel I can read" in await chat.say("zoe: /narrate questions-channel a b")
    out = await chat.say("zoe in dm: /narrate questions-channel here")
    assert "not a direct message" in out
    out = await chat.say(":channel #qa private zoe", "zoe in #qa: /narrate questions-channel here")
    assert "now go to #qa" in out and "only its members will see" in out


@pytest.mark.parametrize("mention", ["<#questions|questions>", "<#questions>", "#Questions"])
async def test_slack_style_channel_mentions_are_accepted(chat, bot, clock, mention):
    await chat.say(":channel #questions public")
    event = CommandInvoked(
        event_id="e1",
        tenant=chat.adapter.__class__.__module__
        and __import__("narrate_bot_adapters.console.adapter", fromlist=["TENANT"]).TENANT,
        user={"user_id": "zoe", "display_name": "zoe"},
        channel={"channel_id": "general", "name": "general"},
        occurred_at=clock.now(),
        command="narrate",
        text=f"questions-channel {mention}",
    )
    [reply] = await bot.handle(event)
    assert "now go to #questions" in reply.text


class _FailingGateway:
    async def post(self, tenant, post: Post) -> str:
        raise ConnectionError("platform down")


async def test_a_failed_post_is_reported_not_raised(chat, bot):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    bot.gateways[Platform.CONSOLE] = _FailingGateway()
    out = await chat.say("zoe: /narrate ask-channel #questions cobol")
    assert "I couldn't post to #questions just now" in out
    del bot.gateways[Platform.CONSOLE]
    out = await chat.say("zoe: /narrate ask-channel #questions cobol")
    assert "can't post to #questions from here" in out
