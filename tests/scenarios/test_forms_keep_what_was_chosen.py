"""What a form or a slash command's box held is never lost or widened: a prompt's form keeps the
"Only me" it was given, text over the limit is handed back, and an old "Share with my workspace"
button can't share a newer note that reuses its short id after a forget-me."""

from __future__ import annotations

import re
from datetime import timedelta

from narrate_bot.events import ChannelRef, FormSubmitted, UserRef
from narrate_bot_adapters.console.adapter import TENANT


def _form(clock, audience: str, text: str) -> FormSubmitted:
    return FormSubmitted(
        event_id=f"form-{audience}-{len(text)}",
        tenant=TENANT,
        user=UserRef(user_id="alice", display_name="alice"),
        channel=ChannelRef(channel_id="team", name="team"),
        occurred_at=clock.now(),
        form="prompt-reply:1",
        fields={"text": text, "audience": audience},
    )


async def _prompted(chat) -> None:
    await chat.say(
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        "alice: /narrate join",
        ":advance 8h",
    )


async def test_only_me_in_a_prompts_form_keeps_the_update_to_its_author(chat, bot, clock):
    await _prompted(chat)
    [reply] = await bot.handle(_form(clock, "only_me", "salary talk with hrmanagerx stalls"))
    assert reply.text.startswith("Noted as #1, only for you.")
    assert [b.label for b in reply.buttons] == ["Share with my workspace"]
    assert "couldn't find anyone" in await chat.say("bob in #team: /narrate who hrmanagerx")
    assert "hrmanagerx" in await chat.say("alice: /narrate mine")


async def test_the_channel_in_a_prompts_form_is_still_the_channels(chat, bot, clock):
    await _prompted(chat)
    [reply] = await bot.handle(_form(clock, "channel", "kafka lag alerts for the brokers"))
    assert reply.text.startswith("Noted as #1, readable by whoever reads #team.")
    assert "@alice" in await chat.say("bob in #team: /narrate who kafka")


async def test_text_over_the_limit_in_a_prompts_form_is_handed_back(chat, bot, clock):
    await _prompted(chat)
    long = "migrated the ledger " * 300
    [reply] = await bot.handle(_form(clock, "channel", long.strip()))
    assert "Nothing was saved" in reply.text
    assert "Here is what you wrote" in reply.text and "> migrated the ledger" in reply.text
    assert "haven't narrated" in await chat.say("alice: /narrate mine")


async def test_a_slash_commands_text_over_the_limit_is_handed_back(chat):
    out = await chat.say("alice: /narrate " + "tuned the kafka brokers " * 250)
    assert "Nothing was saved" in out and "> tuned the kafka brokers" in out


async def test_a_messages_text_over_the_limit_is_not_repeated(chat):
    out = await chat.say("alice in dm: " + "tuned the kafka brokers " * 250)
    assert "Nothing was saved" in out and "Here is what you wrote" not in out


async def test_an_old_share_button_does_not_share_a_newer_note_after_forget_me(chat, clock):
    out = await chat.say("alice in dm: /narrate thinking about switching teams")
    [old_button] = re.findall(r"\(button\) Share with my workspace: (/narrate share .*)", out)
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    clock.advance(timedelta(minutes=5))
    assert "Noted as #1." in await chat.say(
        "alice in dm: /narrate my salary negotiation with hrmanagerx is stalling"
    )
    assert "no narration #1" in await chat.say(f"alice in dm: {old_button}")
    assert "couldn't find anyone" in await chat.say("zoe: /narrate who hrmanagerx")
    # The button of the note itself still shares it, and a typed id needs no stamp.
    assert "visible to everyone" in await chat.say("alice in dm: /narrate share 1")
    assert "@alice" in await chat.say("zoe: /narrate who hrmanagerx")


async def test_a_share_button_shares_its_own_note(chat):
    out = await chat.say("alice in dm: /narrate preparing a talk on kafka exactly-once")
    [button] = re.findall(r"\(button\) Share with my workspace: (/narrate share .*)", out)
    assert "visible to everyone" in await chat.say(f"alice in dm: {button}")
    assert "@alice" in await chat.say("zoe: /narrate who kafka")
