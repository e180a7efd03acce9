"""A prompt's question written in quotes starts at its quote, so a zone in any case may come
before it: ``/narrate schedule #team mon 10:00 cet "what shipped?"`` ran in the workspace's zone
and asked "cet "what shipped?"" (a zone without an area before a lower-case word reads as the
question's first word). Discord's ``/narrate-schedules add`` sends its question this way."""

from __future__ import annotations


async def test_a_quoted_question_keeps_the_zone_before_it(chat):
    await chat.say("alice: /narrate workspace-tz Europe/London")
    out = await chat.say('alice in #team: /narrate schedule #team mon 10:00 cet "what shipped?"')
    assert "(CET)" in out and "It asks: “what shipped?”" in out, out
    out = await chat.say("alice in #team: /narrate schedule #team tue 10:00 “any blockers?”")
    assert "(Europe/London)" in out and "It asks: “any blockers?”" in out, out
    # Unquoted, as before: a lower-case word after the time starts the question.
    out = await chat.say("alice in #team: /narrate schedule #team wed 10:00 est launches?")
    assert "(Europe/London)" in out and "It asks: “est launches?”" in out, out
