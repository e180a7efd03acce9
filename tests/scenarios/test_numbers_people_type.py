"""Ids people type (schedules, narrations, introductions, prompts) never crash a handler: too
long, not decimal, or forged, each gets a short answer and nothing changes."""

from __future__ import annotations

from narrate_bot.events import ChannelRef, FormSubmitted, UserRef
from narrate_bot_adapters.console.adapter import TENANT

HUGE = "99999999999999999999"  # past SQLite's 64-bit integers


async def test_an_impossible_schedule_id_is_refused_kindly(chat):
    await chat.say("alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin")
    for number in (HUGE, "²", "#-1", "1234567890"):
        out = await chat.say(f"alice in #team: /narrate schedule remove {number}")
        assert "Which one? Give its number from /narrate schedule list" in out, number
    assert "#1  #team  prompt" in await chat.say("alice: /narrate schedule list")
    assert "Removed #1" in await chat.say("alice in #team: /narrate schedule remove #1")


async def test_a_forged_write_my_update_form_is_refused_kindly(chat, bot, clock):
    await chat.say("alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin")
    for ref in (HUGE, "²", "1x"):
        [reply] = await bot.handle(
            FormSubmitted(
                event_id=f"forged-{ref}",
                tenant=TENANT,
                user=UserRef(user_id="alice", display_name="alice"),
                channel=ChannelRef(channel_id="team", name="team"),
                occurred_at=clock.now(),
                form=f"prompt-reply:{ref}",
                fields={"text": "shipped the importer"},
            )
        )
        assert "That prompt no longer exists" in reply.text, ref
    assert "haven't narrated" in await chat.say("alice: /narrate mine")


async def test_impossible_narration_and_introduction_ids_never_crash(chat):
    await chat.say("alice: /narrate kafka lag")
    for line in (f"share {HUGE}", "share ²", "delete 1234567890"):
        out = await chat.say(f"alice: /narrate {line}")
        assert "use /narrate" in out and "with its number from /narrate mine" in out, line
    for line in (f"intros met {HUGE}", "intros met ²", f"intros not-useful {HUGE}"):
        assert "Which introduction?" in await chat.say(f"alice: /narrate {line}"), line
    assert "kafka lag" in await chat.say("alice: /narrate mine")
