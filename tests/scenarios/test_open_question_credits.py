"""``/narrate ask-channel answered by @bob``: the asker credits whoever answered.

Before, "answered" counted the question and nobody else: the person who helped was neither
thanked nor counted, and ``answered by @bob`` was taken for a new question to post. Now bob is
credited (``/narrate stats`` counts it), thanked by DM (with the question only when he can
read its channel), and a name the bot doesn't know, the asker themselves, or someone not
taking part changes nothing and says how to close it without a name.
"""

from __future__ import annotations

from tests.scenarios.test_open_question_closing import _two_questions


async def test_answered_by_credits_and_thanks_the_answerer(chat):
    await _two_questions(chat)
    await chat.say("bob: /narrate join", "bob: /narrate fixed the cobol build")
    out = await chat.say("zoe: /narrate ask-channel answered by @bob")
    assert (
        "Glad it's answered: I marked your question “rexx” in #team answered, thanks to @bob, "
        "and digests stop listing it." in out
    )
    assert (
        "@zoe says you answered their question “rexx” in #team. Thank you! It counts among "
        "the workspace's answered questions in /narrate stats." in out
    )
    stats = await chat.say("ann: /narrate stats")
    assert (
        "• 1 open question answered in the open-questions channel (its asker said so, 1 of "
        "them credited to the person who answered)" in stats
    )
    # Forget-me takes bob's credit, not zoe's answered question.
    await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    stats = await chat.say("ann: /narrate stats")
    assert "• 1 open question answered in the open-questions channel (its asker said so)" in stats


async def test_a_credit_that_cant_be_given_changes_nothing(chat):
    await _two_questions(chat)
    nobody = await chat.say("zoe: /narrate ask-channel answered by @nobody")
    assert (
        "I don't know anyone called @nobody here: they haven't narrated or joined yet, so I "
        "can't credit them. Nothing was changed; /narrate ask-channel answered marks it "
        "answered without naming anyone." in nobody
    )
    assert "That's you" in await chat.say("zoe: /narrate ask-channel answered by @zoe")
    await chat.say("carl: /narrate join", "carl: /narrate leave")
    left = await chat.say("zoe: /narrate ask-channel answered thanks to @carl")
    assert "isn't taking part in narrate-bot right now, so I can't credit them" in left
    assert "posted" not in (nobody + left).lower()
    # Both questions are still open: the plain command closes the newest.
    out = await chat.say("zoe: /narrate ask-channel answered")
    assert "your question “rexx” in #team answered, and digests" in out
    assert "You have 1 more open question" in out
