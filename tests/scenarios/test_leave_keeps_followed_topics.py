"""``/narrate leave`` keeps the followed topics; ``/narrate join`` brings their digest back.

d352e20 made leaving delete every followed topic for good, though digests were already skipped
while someone has left (their ``follow_schedule`` row comes due, the week is skipped, the row
moves on) and hide-me, ask-me-about and reminders are kept: "/narrate join brings you back"
brought back everything but the follows, which the person had to remember and type again.
"""

from __future__ import annotations

from tests.scenarios.test_follow_topics import DIGEST, WORLD, _week_of_kafka


async def test_join_after_leave_gets_the_followed_topics_digest_again(chat):
    await chat.say(*WORLD, "carol: /narrate follow kafka")
    await chat.say("carol: /narrate leave")
    # Not ``_week_of_kafka``: carol narrates in it, and narrating brings her back.
    await chat.say("alice in #general: /narrate tuned the kafka consumer lag alerts")
    assert DIGEST not in await chat.say(":advance 7d")  # no DM while left
    assert DIGEST not in await chat.say(":advance 7d")  # nor the week after
    out = await chat.say("carol: /narrate join")
    assert "Welcome back" in out
    await _week_of_kafka(chat)
    out = await chat.say(":advance 7d")
    assert out.count(DIGEST) == 1, out
    assert "tuned the kafka consumer lag alerts" in out.split(DIGEST, 1)[1]
