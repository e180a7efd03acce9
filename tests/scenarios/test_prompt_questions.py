"""A channel prompt may ask its team's own question, through the console.

Before, ``/narrate schedule #team weekdays 16:30 What did you ship today?`` was refused ("Give
the days, a time and optionally a time zone …") and every prompt asked the same question. Now
one free-text question per prompt schedule is kept, set when the prompt is added or later with
``/narrate schedule question <number> …``, and asked by the prompt, its reminder and its form.
"""

from __future__ import annotations

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


async def test_a_prompt_asks_the_question_given_when_it_was_added(chat):
    out = await chat.say(
        "alice in #team: /narrate schedule #team weekdays 16:30 What did you ship today?"
    )
    assert "Scheduled #1" in out and "weekdays at 16:30 (UTC)" in out
    assert "It asks: “What did you ship today?”" in out
    out = await chat.say(":advance 9h")
    assert "[#team] Time to work out loud: What did you ship today?" in out
    assert "what are you working on" not in out
    listed = await chat.say("bob: /narrate schedule list")
    assert "#1  #team  prompt weekdays 16:30 UTC, asks “What did you ship today?”" in listed
    form = await chat.say("bob in #team: /narrate reply 1")
    assert "What did you ship today?" in form and "fills the form" in form
    assert "Noted as #1" in await chat.say("bob in #team: the ledger importer, at last")


async def test_a_zone_and_a_question_both_after_the_time(chat):
    out = await chat.say(
        "alice in #team: /narrate schedule daily 10:00 America/New_York Goals, not tasks: what's"
        " yours this week?"
    )
    assert "(America/New_York)" in out
    assert "It asks: “Goals, not tasks: what's yours this week?”" in out
    # A mistyped zone is still explained as a zone, never posted as the question's first word.
    out = await chat.say("alice in #team: /narrate schedule daily 11:00 Europe/Berln What now?")
    assert "isn't a time zone I know" in out and "Scheduled" not in out


async def test_the_question_is_changed_and_cleared_later_with_its_reminder(chat):
    await chat.say(
        "alice in #team: /narrate schedule daily 10:00 Europe/Berlin",
        "alice in #team: /narrate schedule reminder on",
    )
    # Added again with a question: the existing prompt is named, with how to change its question.
    out = await chat.say("bob in #team: /narrate schedule daily 10:00 Europe/Berlin What now?")
    assert "already scheduled as #1; to change what it asks: /narrate schedule question 1 What" in (
        out
    )
    out = await chat.say("bob in #team: /narrate schedule question 1 What did you learn today?")
    assert "prompt #1 in #team asks: “What did you learn today?”" in out
    shown = await chat.say("carol: /narrate schedule question 1")
    assert "Prompt #1 in #team asks “What did you learn today?”" in shown
    out = await chat.say(":advance 1d")
    assert "[#team] Time to work out loud: What did you learn today?" in out
    assert "[#team thread] A gentle nudge: there's still time to answer “What did you learn" in out
    out = await chat.say("bob: /narrate schedule question 1 default")
    assert "asks the default question again" in out
    out = await chat.say(":advance 1d")
    assert "[#team] Time to work out loud: what are you working on, learning or stuck on?" in out
    assert "What did you learn" not in out
    assert "asks" not in await chat.say("bob: /narrate schedule list")


async def test_a_question_pings_nobody_and_its_length_is_limited(chat):
    out = await chat.say(
        "alice in #team: /narrate schedule daily 10:00 <!channel> @here <@U42> see <#C9|ops>:"
        " what shipped?"
    )
    assert "It asks: “here see : what shipped?”" in out
    posted = await chat.say(":advance 1d")
    prompt = next(line for line in posted.splitlines() if line.startswith("[#team] Time"))
    assert "<!channel>" not in prompt and "@here" not in prompt and "U42" not in prompt
    assert "<#" not in prompt
    long = "What " + "really " * 40 + "happened?"
    out = await chat.say(f"alice in #team: /narrate schedule question 1 {long}")
    assert f"That question is {len(long)} characters" in out and "at most 200" in out
    assert f"> {long}" in out  # handed back to shorten
    assert "here see : what shipped?" in await chat.say("alice: /narrate schedule list")
    out = await chat.say(f"alice in #team: /narrate schedule weekdays 08:00 {long}")
    assert "Nothing was scheduled" in out and f"> {long}" in out
    assert "08:00" not in await chat.say("alice: /narrate schedule list")


async def test_only_schedule_managers_change_the_question(chat):
    await chat.say(
        ":admin alice",
        ":channel #secret private alice,carol",
        "alice in #team: /narrate schedule daily 10:00 Europe/Berlin",
        "alice in #secret: /narrate schedule daily 11:00 Europe/Berlin",
        "alice: /narrate schedule managers admins",
    )
    out = await chat.say("bob in #team: /narrate schedule question 1 Anything blocked?")
    assert "only admins change schedules" in out
    # A private channel's prompt is no one else's to see, let alone change.
    out = await chat.say("mallory: /narrate schedule question 2 Pwned?")
    assert "There's no schedule #2" in out and "secret" not in out
    out = await chat.say("alice: /narrate schedule question 1 Anything blocked?")
    assert "asks: “Anything blocked?”" in out
    listed = await chat.say("bob: /narrate schedule list")
    assert "asks “Anything blocked?”" in listed and "Pwned" not in listed


async def test_a_question_opening_with_a_word_that_is_also_a_zone_stays_the_question(chat):
    # "Met" (case-folded MET), "Japan", "est" used to be taken for the prompt's time zone.
    await chat.say("alice: /narrate workspace-tz Europe/London")
    out = await chat.say(
        "alice in #general: /narrate schedule #general fri 16:00 Met anyone new this week?"
    )
    assert "It asks: “Met anyone new this week?”" in out and "(Europe/London)" in out
    out = await chat.say("alice in #general: /narrate schedule #general mon 09:00 Japan launch?")
    assert "It asks: “Japan launch?”" in out and "(Europe/London)" in out
    # Spelt as the zone and followed by a new sentence, or alone: the zone, as before.
    out = await chat.say("alice in #team: /narrate schedule #team mon 10:00 CET What shipped?")
    assert "(CET)" in out and "It asks: “What shipped?”" in out
    out = await chat.say("alice in #team: /narrate schedule #team tue 10:00 utc Blockers?")
    assert "(UTC)" in out and "It asks: “Blockers?”" in out
    out = await chat.say("alice in #team: /narrate schedule #team wed 10:00 europe/berlin")
    assert "(Europe/Berlin)" in out and "It asks" not in out


async def test_doubled_at_signs_leave_no_broadcast_in_the_posted_question(chat):
    out = await chat.say(
        "alice in #team: /narrate schedule #team daily 10:00 Ping x@@here and @@@everyone: shipped?"
    )
    assert "It asks: “Ping xhere and everyone: shipped?”" in out
    posted = await chat.say(":advance 1d")
    prompt = next(line for line in posted.splitlines() if line.startswith("[#team] Time"))
    assert "Ping xhere and everyone: shipped?" in prompt and "@" not in prompt
