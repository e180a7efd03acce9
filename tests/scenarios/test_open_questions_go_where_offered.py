"""An open question goes only where its asker was shown it would, once, whole, and only to a
channel the workspace's own members chose for it.

Before: an old "Ask in #leads" button posted to whatever channel was set when it was clicked
(a public #general after an admin moved the setting); a guest could choose the channel, and so
could anyone pick a group DM or a channel shared with another organisation; a double click posted
twice; a question over the limit was refused without being given back, and the offer's button
cut a long one mid-word.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.features.help import HELP
from narrate_bot.storage.question_tables import OpenQuestion

POSTED = "is looking for someone who knows about"


async def test_an_old_button_never_posts_where_the_setting_moved_since(chat):
    await chat.say(
        ":channel #leads private alice,bob",
        "bob in #leads: /narrate questions-channel here",
        ":admin ann",
    )
    offer = await chat.say("bob in dm: who knows about severance packages?")
    button = offer.split("(button) Ask in #leads: ")[1].strip()
    assert button == "/narrate ask-channel <#leads> severance packages"
    assert "now go to #general" in await chat.say("ann: /narrate questions-channel here")

    clicked = await chat.say(f"bob in dm: {button}")
    assert POSTED not in clicked and "[#general]" not in clicked and "[#leads]" not in clicked
    assert "Open questions go to #general now, so I posted nothing." in clicked
    # Offered again, with a button for where questions go now: the asker chooses.
    again = clicked.split("(button) Ask in #general: ")[1].strip()
    assert again == "/narrate ask-channel <#general> severance packages"
    assert "[#general] @bob " + POSTED in await chat.say(f"bob in dm: {again}")


async def test_a_button_from_before_buttons_named_their_channel_is_offered_again(chat):
    """Buttons already in people's chats carry only the question: they can't say which channel
    their asker was shown, so a click offers the current one instead of posting there."""
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    out = await chat.say("zoe: /narrate ask-channel severance packages")
    assert POSTED not in out and "[#questions]" not in out
    assert "Want me to post your question in #questions" in out
    assert "(button) Ask in #questions: /narrate ask-channel <#questions> severance packages" in out
    # A typed channel is the asker's own choice: it posts.
    out = await chat.say("zoe: /narrate ask-channel #questions severance packages")
    assert "[#questions] @zoe " + POSTED in out


async def test_a_private_channel_the_asker_is_not_in_is_never_named_when_re_offering(chat):
    await chat.say(
        ":channel #leads private alice,bob",
        "alice in #leads: /narrate questions-channel here",
        ":admin ann",
    )
    offer = await chat.say("bob in dm: who knows about severance packages?")
    button = offer.split("(button) Ask in #leads: ")[1].strip()
    await chat.say(":channel #board private ann", "ann in #board: /narrate questions-channel here")
    clicked = await chat.say(f"bob in dm: {button}")
    assert "board" not in clicked and POSTED not in clicked
    assert "private and you're not in it" in clicked


async def test_a_double_click_posts_the_question_once(chat, db):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    click = "zoe: /narrate ask-channel <#questions> cobol mainframes"
    first = await chat.say(click)
    second = await chat.say(click)
    assert "[#questions] @zoe " + POSTED in first
    assert POSTED not in second
    assert "Already posted in #questions" in second
    async with db.transaction() as session:
        assert len((await session.exec(select(OpenQuestion))).all()) == 1
    # Later, the same question is a new one.
    await chat.say(":advance 1h")
    assert "[#questions] @zoe " + POSTED in await chat.say(click)


async def test_a_failed_post_is_not_taken_for_a_repeat(chat, bot, db):
    from narrate_bot.events import Platform

    class _Failing:
        async def post(self, tenant: object, post: object) -> str:
            raise ConnectionError("platform down")

    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    kept = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Failing()
    out = await chat.say("zoe: /narrate ask-channel #questions cobol")
    assert "couldn't post to #questions" in out
    async with db.transaction() as session:
        assert (await session.exec(select(OpenQuestion))).all() == []
    bot.gateways[Platform.CONSOLE] = kept
    assert "[#questions] @zoe " + POSTED in await chat.say(
        "zoe: /narrate ask-channel #questions cobol"
    )


async def test_a_guest_cannot_choose_the_questions_channel(chat):
    await chat.say(":channel #pat-room public", ":guest pat")
    out = await chat.say("pat in #pat-room: /narrate questions-channel here")
    assert "Open questions now go" not in out and "Nothing was changed" in out
    assert "guest or from another organisation" in out
    assert "No open-questions channel" in await chat.say("zoe: /narrate questions-channel")


async def test_a_channel_shared_with_another_organisation_is_refused(chat):
    await chat.say(":channel #partner-globex shared zoe")
    out = await chat.say("zoe in #partner-globex: /narrate questions-channel here")
    assert "Open questions now go" not in out
    assert "shared with another organisation" in out and "Nothing was changed" in out
    assert "No open-questions channel" in await chat.say("zoe: /narrate questions-channel")


async def test_a_question_too_long_to_post_is_given_back(chat):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    question = "how do we migrate the zanzibar cobol batch jobs " * 7
    out = await chat.say(f"zoe: /narrate ask-channel #questions {question}")
    assert "up to 300 characters" in out and POSTED not in out
    assert "> how do we migrate the zanzibar cobol batch jobs how do we" in out


async def test_the_offer_never_cuts_a_long_question(chat):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    topic = "kubernetes " * 30 + "operators"
    offer = await chat.say(f"zoe: /narrate who knows about {topic}?")
    assert "(button)" not in offer and "too long to post" in offer
    assert "kubernetes kubernetes operators" in offer  # given back whole


def test_help_says_how_the_questions_channel_is_shown_cleared_and_who_changes_it():
    line = next(line for line in HELP.splitlines() if "questions-channel [" in line)
    assert "[#channel|here|off]" in line and "alone, shows it" in line
    assert "only admins change questions-channel once it's set" in HELP
