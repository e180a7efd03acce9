"""A private open-questions channel is named only to its members (and admins), and only they are
offered to post there: a question from anyone else would get its answers where they can't read
them. Before, anyone could name a private channel while none was set (learning it exists and
making it the workspace's), and everyone was told its name afterwards."""

from __future__ import annotations

NOBODY = "couldn't find anyone"


async def test_a_non_member_cannot_probe_or_choose_a_private_channel(chat, db):
    await chat.say(":channel #layoffs-2027 private alice,bob")
    out = (await chat.say("zoe: /narrate questions-channel #layoffs-2027")).strip()
    assert out.endswith(
        "I haven't seen #layoffs-2027 yet: add me to it (or post there) and try again. "
        "Nothing was changed."
    )
    unknown = (await chat.say("zoe: /narrate questions-channel #nothing-here")).strip()
    assert unknown.replace("nothing-here", "layoffs-2027") == out
    assert "No open-questions channel" in await chat.say("zoe: /narrate questions-channel")


async def test_only_members_are_told_its_name_and_offered_to_post_there(chat):
    await chat.say(
        ":channel #leads private alice,bob",
        "alice in #leads: /narrate questions-channel here",
    )
    shown = await chat.say("zoe: /narrate questions-channel")
    assert "Open questions go to a private channel." in shown and "leads" not in shown

    out = await chat.say("zoe: /narrate who knows about cobol mainframes?")
    assert NOBODY in out and "(button)" not in out and "leads" not in out
    assert "private and you're not in it" in out
    posted = await chat.say("zoe: /narrate ask-channel #leads cobol mainframes")
    assert "private and you're not in it" in posted and "[#leads]" not in posted

    out = await chat.say("bob: /narrate who knows about cobol mainframes?")
    assert "(button) Ask in #leads" in out
    assert "[#leads] @bob is looking for" in await chat.say(
        "bob: /narrate ask-channel #leads cobol"
    )


async def test_a_public_answer_leaves_the_offer_to_the_asker_alone(chat):
    """A mention is answered in the channel; the offer to post in a private questions channel
    named it to everyone there, and its button posted the question as whoever clicked it."""
    await chat.say(
        ":channel #leads private alice,bob",
        "alice in #leads: /narrate questions-channel here",
    )
    out = await chat.say("bob: @narrate who knows about cobol mainframes?")
    public, private = out.split("\n[only bob in #general] ")
    assert public.startswith("[#general thread]") and NOBODY in public
    assert "leads" not in public and "(button)" not in public
    assert private.startswith("Want me to post your question in #leads")
    assert "(button) Ask in #leads: /narrate ask-channel <#leads> cobol mainframes" in private
