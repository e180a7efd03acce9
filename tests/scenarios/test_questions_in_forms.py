"""A question typed into the "Write my update" form (a Slack or Discord modal, the console's
next line after /narrate) is answered like one asked anywhere else, never kept: kept, it was
published as the asker's update, enrolled them, and made them the "expert" in later answers."""

from __future__ import annotations

from narrate_bot.events import ChannelRef, FormSubmitted, UserRef
from narrate_bot_adapters.console.adapter import TENANT


def _form(clock, form: str, text: str, *, guest: bool = False) -> FormSubmitted:
    return FormSubmitted(
        event_id=f"form-{form}-{text}-{guest}",
        tenant=TENANT,
        user=UserRef(user_id="zoe", display_name="zoe", guest=guest),
        channel=ChannelRef(channel_id="team", name="team"),
        occurred_at=clock.now(),
        form=form,
        fields={"text": text},
    )


async def test_a_question_in_the_narration_form_is_answered_not_kept(chat, bot, clock):
    await chat.say("bob in #team: /narrate tuned the kafka consumer lag alerts")
    [reply] = await bot.handle(_form(clock, "narration", "who knows about kafka?"))
    assert reply.text.startswith("Who knows about “kafka”:") and "@bob" in reply.text
    [reply] = await bot.handle(_form(clock, "narration", "who's the expert on terraform?"))
    assert "couldn't find anyone" in reply.text
    assert "haven't narrated" in await chat.say("zoe: /narrate mine")
    assert "@zoe" not in await chat.say("carol: /narrate who kafka")


async def test_a_question_in_a_prompts_form_is_answered_not_kept(chat, bot, clock):
    await chat.say(
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        "bob in #team: /narrate tuned the kafka consumer lag alerts",
        ":advance 8h",
    )
    [reply] = await bot.handle(_form(clock, "prompt-reply:1", "can anyone help with kafka?"))
    assert reply.text.startswith("Who knows about “kafka”:")
    assert "haven't narrated" in await chat.say("zoe: /narrate mine")


async def test_an_update_in_the_form_is_still_kept(chat, bot, clock):
    [reply] = await bot.handle(_form(clock, "narration", "helped bob with kafka consumer lag"))
    assert reply.text.startswith("Noted as #1.")


async def test_a_greeting_before_the_bots_mention_still_asks(chat):
    """In a DM "hey @narrate who knows about kafka?" was kept as a narration about "hey"."""
    await chat.say("bob: /narrate tuned the kafka consumer lag alerts")
    out = await chat.say("zoe in dm: hey @narrate who knows about kafka?")
    assert "Who knows about “kafka”:" in out and "@bob" in out
    assert "haven't narrated" in await chat.say("zoe: /narrate mine")


async def test_a_guest_asking_in_the_form_is_refused_as_anywhere_else(chat, bot, clock):
    await chat.say(":guest zoe", "bob in #team: /narrate tuned the kafka consumer lag alerts")
    refused = await chat.say("zoe in #team: /narrate who knows about kafka?")
    [reply] = await bot.handle(_form(clock, "narration", "who knows about kafka?", guest=True))
    assert "bob" not in reply.text and "kafka consumer" not in reply.text
    assert reply.text in refused


async def test_a_greeting_and_a_mention_in_a_dm_narration_keep_their_words(chat, db):
    out = await chat.say("alice in dm: hey <@bob> thanks, the kafka consumer lag fix worked")
    assert "Noted as #1." in out
    assert "hey @bob thanks, the kafka consumer lag fix worked" in await chat.say(
        "alice: /narrate mine"
    )
