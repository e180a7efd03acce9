"""Where a reply says how to act on one of a list's entries, it names a number the list shows
(or an example tied to a ``#number``), not "<id>": a schedule line holds a ``#number``, a time
and dates, and people had to guess which of them "<id>" meant."""

from __future__ import annotations


async def test_the_schedule_list_names_a_number_it_shows_and_that_number_works(chat):
    await chat.say(
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        "alice in #ops: /narrate schedule weekdays 09:00 Europe/Berlin",
        "alice in #team: /narrate schedule remove 1",
    )
    listed = await chat.say("alice: /narrate schedule list")
    assert "#2  #ops  prompt" in listed and "#1 " not in listed
    assert listed.rstrip().endswith(
        "Remove one by its number: /narrate schedule remove 2 removes #2."
    )
    assert "<id>" not in listed
    assert "Removed #2" in await chat.say("alice in #ops: /narrate schedule remove 2")


async def test_mine_names_a_number_it_shows(chat):
    await chat.say("alice: /narrate kafka lag", "alice: /narrate terraform modules")
    mine = await chat.say("alice: /narrate mine")
    assert "#2  " in mine and "#1  " in mine
    assert (
        "Change one with /narrate edit 2 <text>, or remove it with /narrate delete 2 "
        "(the number before it)."
    ) in mine
    assert "Deleted #2." in await chat.say("alice: /narrate delete 2")


async def test_a_command_without_a_number_shows_one_tied_to_its_hash(chat):
    await chat.say("alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin")
    out = await chat.say("alice: /narrate delete the stale s3 buckets")
    assert "Noted as #1." in out
    assert (
        "use /narrate delete with its number from /narrate mine (for example "
        "/narrate delete 3 for #3)"
    ) in out
    out = await chat.say("alice in #team: /narrate schedule remove the standup")
    assert (
        "Which one? Give its number from /narrate schedule list: for example "
        "/narrate schedule remove 2 removes #2."
    ) in out
    out = await chat.say("alice: /narrate reply soon")
    assert "/narrate schedule list shows the prompts you can answer, each with its number" in out
    out = await chat.say("alice: /narrate reply 7")
    assert "There's no prompt #7" in out
    assert "/narrate schedule list shows the prompts you can answer, each with its number" in out
