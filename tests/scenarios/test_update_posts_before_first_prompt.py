"""A form update sent before its schedule's first prompt went out says truthfully that it isn't
posted anywhere, through the console.

``/narrate schedule list`` shows a prompt's number as soon as it is scheduled, so
``/narrate reply 1`` works before the first prompt. Before, the update was kept and the
confirmation said nothing of the thread, though the author had chosen the form that posts in
it. Now it says there is no thread yet, and the update is not posted later either: under a
prompt asked after it was written it would read as an answer to a question it never saw.
"""

from __future__ import annotations

TOLD = (
    "It won't appear in a thread in #team: no prompt has gone out there yet. Your update is "
    "kept all the same."
)


async def test_an_update_before_the_first_prompt_says_it_isnt_posted(chat, bot):
    await chat.say("alice in #team: /narrate schedule #team weekdays 16:30")
    form = await chat.say("bob in #team: /narrate reply 1")
    assert "fills the form" in form
    out = await chat.say("bob in #team: shipped the ledger importer")
    assert "Noted as #1, readable by whoever reads #team." in out
    assert TOLD in out
    assert "posted as" not in out
    # The first prompt goes out; the earlier update stays out of its thread.
    later = await chat.say(":advance 9h")
    assert "[console] posted as m1: reply in #team thread m1" in later
    assert "wrote an update" not in later and "posted as m2" not in later
    # An update to that prompt is posted as usual.
    form = await chat.say("bob in #team: /narrate reply 1")
    out = await chat.say("bob in #team: and its docs")
    assert "Posted in the prompt's thread in #team." in out and TOLD not in out
