"""Skip dates can be seen and taken back, and "next" names a day that really gets a prompt.

Review s15: a mistyped skip (2026-11-24 for 2026-12-24) could never be undone, ``unskip`` was
stored as a narration, and the replies promised a prompt on a skipped day.
"""

from __future__ import annotations

import pytest

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


async def test_a_mistyped_skip_is_taken_back_and_prompts_come_again(chat):
    await chat.say(
        "alice in #general: /narrate join",
        "alice in #general: /narrate schedule weekdays 08:30 Europe/Berlin",
    )
    out = await chat.say("alice in #general: /narrate schedule skip 2026-11-24..2026-12-31")
    assert "Next prompt: Fri 2027-01-01 08:30 CET" in out
    assert "/narrate schedule unskip 2026-11-24..2026-12-31" in out
    out = await chat.say("alice in #general: /narrate schedule unskip 2026-11-24..2026-12-31")
    assert "Prompts in #general are back on 2026-11-24 to 2026-12-31" in out
    assert "Noted" not in out
    assert "No skipped days in #general" in await chat.say(
        "alice: /narrate schedule skips #general"
    )
    out = await chat.say(":advance 3d")
    assert out.count("[#general] Time to work out loud") == 3  # Tue, Wed, Thu
    assert "unskip" not in await chat.say("alice: /narrate mine")


async def test_next_one_and_the_list_name_the_first_day_not_skipped(chat):
    await chat.say("alice in #team: /narrate schedule skip 2026-11-24..2026-12-31")
    out = await chat.say("alice in #team: /narrate schedule weekdays 08:30 Europe/Berlin")
    assert "Next one: Fri 2027-01-01 08:30 CET" in out
    listed = await chat.say("alice: /narrate schedule list")
    assert "skips 2026-11-24..2026-12-31; next Fri 2027-01-01 08:30 CET" in listed
    # A skip added after the schedule moves "next" too.
    await chat.say("alice in #team: /narrate schedule skip 2027-01-01")
    assert "next Mon 2027-01-04 08:30 CET" in await chat.say("alice: /narrate schedule list")


async def test_part_of_a_skip_is_taken_back_and_the_rest_stays(chat):
    await chat.say(
        "alice in #team: /narrate schedule daily 09:30 Europe/Berlin",
        "alice in #team: /narrate schedule skip 2026-11-24..2026-11-27",
    )
    out = await chat.say("alice in #team: /narrate schedule unskip 2026-11-25 #team")
    assert "back on 2026-11-25" in out
    assert "Still skipped: 2026-11-24, 2026-11-26..2026-11-27" in out
    out = await chat.say("bob: /narrate schedule skips #team")
    assert "No prompts in #team on 2026-11-24, 2026-11-26..2026-11-27" in out
    out = await chat.say(":advance 6d")
    assert out.count("[#team] Time to work out loud") == 3  # Mon 23rd, Wed 25th, Sat 28th


async def test_skip_remove_reads_as_unskip_and_an_unknown_word_is_explained(chat):
    await chat.say(
        "alice in #team: /narrate schedule weekdays 09:30 Europe/Berlin",
        "alice in #team: /narrate schedule skip 2026-11-24",
    )
    assert "back on 2026-11-24" in await chat.say(
        "alice in #team: /narrate schedule skip remove 2026-11-24"
    )
    out = await chat.say("alice in #team: /narrate schedule undo 2026-11-24")
    assert "There's no /narrate schedule undo" in out and "unskip" in out
    out = await chat.say("alice in #team: /narrate schedule unskip 2026-11-30")
    assert "no skipped days on 2026-11-30, so nothing changed" in out
    assert "unskip" not in await chat.say("alice: /narrate mine")


@pytest.mark.parametrize("command", ["unskip #secret 2026-11-24", "skips #secret"])
async def test_skips_of_a_private_channel_are_for_its_members(chat, command):
    await chat.say(
        ":channel #secret private alice,carol",
        "alice in #secret: /narrate schedule daily 10:00 Europe/Berlin",
        "alice in #secret: /narrate schedule skip 2026-11-24",
    )
    out = await chat.say(f"mallory: /narrate schedule {command}")
    assert "I haven't seen #secret yet" in out and "2026-11-24" not in out
    assert "2026-11-24" in await chat.say("carol: /narrate schedule skips #secret")


async def test_unskip_is_for_schedule_managers_like_skip(chat):
    await chat.say(
        ":admin alice",
        "alice in #team: /narrate schedule weekdays 09:30 Europe/Berlin",
        "alice in #team: /narrate schedule skip 2026-11-24",
        "alice: /narrate schedule managers admins",
    )
    out = await chat.say("bob in #team: /narrate schedule unskip 2026-11-24")
    assert "only admins change schedules" in out
    assert "2026-11-24" in await chat.say("bob in #team: /narrate schedule skips")
