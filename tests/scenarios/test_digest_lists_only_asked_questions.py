"""The weekly digest's open questions are the questions asked through the bot and still open.

It used to list every narration of the week containing a "?" as an open question, naming its
author: alice's reply under a prompt, "What did I do today? Reviewed PRs", read as alice having
an open question, even where no open-questions channel was ever chosen. A narration is an
update, not a question; the questions are those posted with ``/narrate ask-channel`` (or the
"couldn't find anyone" button), until their asker says they were answered or withdraws them.
"""

from __future__ import annotations

from tests.scenarios.test_review_fixes_digest_form import _said_in

# The console's clock starts Monday 2026-11-23 09:00 Berlin; the digest goes out on Friday.


async def _digest(chat) -> tuple[str, str]:
    """The digest's post in #team and its thread."""
    out = await chat.say(":clock 2026-11-27T16:05:00+01:00")
    return _said_in(out, "#team"), _said_in(out, "#team thread")


async def test_a_narration_with_a_question_mark_is_not_an_open_question(chat):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        "alice in #team: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice: /narrate join",
        ":advance 8h",  # the prompt is out
    )
    assert "Noted" in await chat.say("alice in #team thread: What did I do today? Reviewed PRs")
    await chat.say("dave@search in #team: /narrate blocked on postgres vacuum again, anyone?")
    post, thread = await _digest(chat)
    assert "This week, as #team can see it: 2 narrations" in post
    assert "Open questions someone here could help with" not in thread
    assert "No cross-team overlaps or open questions this week." in thread
    assert "@alice" not in thread and "@dave" not in thread
    assert "What did I do today" not in thread and "anyone?" not in thread


async def test_only_the_questions_still_open_are_listed(chat):
    await chat.say(
        ":channel #team public",
        "alice in #team: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate join",
        "dave@search: /narrate join",
        "zoe: /narrate ask-channel #team who knows cobol?",
        "dave: /narrate ask-channel #team who knows fortran?",
        "dave: /narrate ask-channel answered",  # dave's is answered: no longer open
        "carol@infra in #team: /narrate anyone tuned kafka consumer lag?",
    )
    post, thread = await _digest(chat)
    assert "This week, as #team can see it: 1 narration" in post
    assert "Open questions someone here could help with:" in thread
    assert "• @zoe is looking for someone who knows about “cobol”" in thread
    assert "fortran" not in thread and "@dave" not in thread
    assert "kafka consumer lag" not in thread and "@carol" not in thread


async def test_a_shared_channel_still_sees_only_questions_posted_in_it(chat):
    await chat.say(
        ":channel #team public",
        ":channel #partner shared alice,pat",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate join",
        "zoe: /narrate ask-channel #team who knows cobol?",
        "pat in #partner: /narrate is the partner api contract final?",
        "alice in #partner: /narrate schedule digest on fri 16:00 Europe/Berlin",
    )
    out = await chat.say(":clock 2026-11-27T16:05:00+01:00")
    partner = _said_in(out, "#partner") + _said_in(out, "#partner thread")
    assert "This week, as #partner can see it: 1 narration" in partner
    assert "cobol" not in partner and "zoe" not in partner
    assert "contract final" not in partner and "@pat" not in partner
