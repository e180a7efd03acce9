"""Through the console: a removed prompt that was already posted stays answerable as itself (its
id is never given to another schedule, so its button can't answer someone else's channel), a
reminder turned off after the prompt doesn't nudge, and the digest lists only the questions of
people taking part, a paused person's without their name."""

from __future__ import annotations

import re

from tests.scenarios.test_review_fixes_digest_form import _said_in

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


def _scheduled(out: str) -> int:
    found = re.search(r"Scheduled #(\d+)", out)
    assert found is not None, out
    return int(found.group(1))


async def test_an_old_private_prompts_button_never_answers_a_newer_schedule(chat):
    await chat.say(":channel #secret private alice,carol", ":channel #general public")
    secret = _scheduled(
        await chat.say("alice in #secret: /narrate schedule weekdays 09:30 Europe/Berlin")
    )
    assert f"Write my update: /narrate reply {secret}" in await chat.say(":advance 1h")
    assert f"Removed #{secret}" in await chat.say(
        f"alice in #secret: /narrate schedule remove {secret}"
    )
    general = _scheduled(
        await chat.say("bob in #general: /narrate schedule weekdays 16:30 Europe/Berlin")
    )
    assert general != secret  # a removed schedule's id is never given again

    # carol clicks the button still under this morning's #secret prompt.
    assert "fills the form" in await chat.say(f"carol in #secret: /narrate reply {secret}")
    out = await chat.say("carol in #secret: acquisition of acme closes friday, keep quiet")
    assert "readable by whoever reads #secret" in out and "#general" not in out
    assert "carol" not in await chat.say("bob: /narrate who acme")
    assert "acme" in await chat.say("alice: /narrate who acme")  # a member of #secret reads it


async def test_a_posted_prompt_keeps_its_thread_and_button_after_its_schedule_is_removed(chat):
    await chat.say("alice: /narrate join", "bob: /narrate join")
    number = _scheduled(
        await chat.say("alice in #general: /narrate schedule weekdays 09:30 Europe/Berlin")
    )
    await chat.say(":advance 1h")
    assert "Noted as #1" in await chat.say("bob in #general thread: finished the reindex job")
    assert f"Removed #{number}" in await chat.say(f"alice: /narrate schedule remove {number}")

    assert "Noted as #2" in await chat.say("bob in #general thread: also fixed the flaky test")
    assert "fills the form" in await chat.say(f"bob in #general: /narrate reply {number}")
    out = await chat.say("bob in #general: drafted the on-call handbook")
    assert "Noted as #3, readable by whoever reads #general" in out
    mine = await chat.say("bob: /narrate mine")
    assert "flaky test" in mine and "on-call handbook" in mine

    # Removed all the same: never listed, never removed twice, never posted again.
    assert "No prompts are scheduled" in await chat.say("alice: /narrate schedule list")
    assert f"There's no schedule #{number}" in await chat.say(
        f"alice: /narrate schedule remove {number}"
    )
    assert "Time to work out loud" not in await chat.say(":advance 7d")


async def test_a_removed_prompt_that_never_posted_has_nothing_to_answer(chat):
    number = _scheduled(
        await chat.say("alice in #general: /narrate schedule weekdays 16:30 Europe/Berlin")
    )
    await chat.say(f"alice: /narrate schedule remove {number}")
    out = await chat.say(f"bob: /narrate reply {number}")
    assert f"There's no prompt #{number}" in out and "fills the form" not in out
    assert "Time to work out loud" not in await chat.say(":advance 2d")


async def test_turning_the_reminder_off_after_the_prompt_cancels_that_days_nudge(chat):
    await chat.say(
        "alice in #general: /narrate schedule weekdays 09:30 Europe/Berlin",
        "alice in #general: /narrate schedule reminder on",
    )
    assert "[#general] Time to work out loud" in await chat.say(":advance 1h")
    assert "No more reminders" in await chat.say(
        "alice in #general: /narrate schedule reminder off"
    )
    out = await chat.say(":advance 4h")
    assert "gentle nudge" not in out
    # Turned on again before the next prompt, it nudges again.
    await chat.say("alice in #general: /narrate schedule reminder on")
    out = await chat.say(":advance 1d")
    assert out.count("[#general thread] A gentle nudge") == 1


async def test_removing_the_schedule_after_its_prompt_cancels_that_days_nudge(chat):
    number = _scheduled(
        await chat.say("alice in #general: /narrate schedule weekdays 09:30 Europe/Berlin")
    )
    await chat.say("alice in #general: /narrate schedule reminder on", ":advance 1h")
    await chat.say(f"alice: /narrate schedule remove {number}")
    assert "gentle nudge" not in await chat.say(":advance 4h")


async def _digest_week(chat, *asking: str) -> str:
    await chat.say(
        ":channel #team public",
        ":channel #questions public",
        "alice@payments: /narrate join",
        "alice: /narrate questions-channel #questions",
        *asking,
        "alice: /narrate schedule digest #team on mon 12:00",
    )
    return _said_in(await chat.say(":advance 7d"), "#team thread")


async def test_a_paused_persons_posted_question_is_listed_without_their_name(chat):
    thread = await _digest_week(
        chat,
        "bob: /narrate join",
        "bob: /narrate ask-channel #questions who knows about cobol mainframes",
        "bob: /narrate pause 2w",
    )
    assert "• Someone is looking for help with “cobol mainframes” (in #questions)" in thread
    assert "@bob" not in thread


async def test_questions_of_people_not_taking_part_are_left_out_of_the_digest(chat):
    thread = await _digest_week(
        chat,
        "zed: /narrate ask-channel #questions who knows about cobol",
        "liz: /narrate join",
        "liz: /narrate ask-channel #questions who knows about fortran",
        "liz: /narrate leave",
        "ann: /narrate join",
        "ann: /narrate ask-channel #questions who knows about pascal",
    )
    assert "cobol" not in thread and "@zed" not in thread  # never joined
    assert "fortran" not in thread and "@liz" not in thread  # left
    assert "• @ann is looking for someone who knows about “pascal” (in #questions)" in thread
