"""Narrating from the console: record, ask for text, list, edit, delete, share, and bad input."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration, Person


async def _narrations(db) -> list[Narration]:
    async with db.transaction() as s:
        return list((await s.exec(select(Narration).order_by(Narration.id))).all())


async def test_narrate_records_and_confirms_briefly(chat, db):
    out = await chat.say("alice: /narrate shipped the ledger migration")
    assert out.startswith("[only alice in #general] Noted as #1.")
    assert "ledger" in out and "migration" in out
    assert "taking part" in out  # first narration enrols, and says so
    again = await chat.say("alice: /narrate reviewed the kafka retry logic")
    assert "Noted as #2." in again and "taking part" not in again
    rows = await _narrations(db)
    assert [(n.ordinal, n.text, n.source) for n in rows] == [
        (1, "shipped the ledger migration", "command"),
        (2, "reviewed the kafka retry logic", "command"),
    ]


async def test_narrate_alone_asks_for_the_text_and_keeps_the_next_line(chat, db):
    out = await chat.say("alice: /narrate")
    assert "What are you working on?" in out
    assert await _narrations(db) == []
    out = await chat.say("alice: migrating the billing cron jobs to the scheduler")
    assert "Noted as #1." in out
    rows = await _narrations(db)
    assert rows[0].text == "migrating the billing cron jobs to the scheduler"
    assert rows[0].source == "form"


async def test_a_command_cancels_the_pending_form(chat, db):
    await chat.say("alice: /narrate")
    await chat.say("alice: /narrate help")
    assert await chat.say("alice: just chatting") == ""
    assert await _narrations(db) == []


async def test_mine_lists_recent_narrations_with_short_ids(chat, clock):
    await chat.say("alice: /narrate first thing", "bob: /narrate bob's thing")
    await chat.say("alice in #infra: /narrate second thing")
    out = await chat.say("alice: /narrate mine")
    assert "#2  2026-11-23  #infra  second thing" in out
    assert "#1  2026-11-23  #general  first thing" in out
    assert "bob's thing" not in out
    assert "haven't narrated" in await chat.say("carol: /narrate mine")


async def test_edit_and_delete_work_on_my_own_only(chat, db):
    await chat.say("alice: /narrate kafka consumer tuning")
    await chat.say("bob: /narrate terraform modules")
    out = await chat.say("bob: /narrate edit 2 hijacked")
    assert "no narration #2" in out
    out = await chat.say("carol: /narrate delete 1")
    assert "no narration #1" in out and "your own" in out
    assert [n.text for n in await _narrations(db)] == ["kafka consumer tuning", "terraform modules"]

    out = await chat.say("alice: /narrate edit 1 kafka consumer tuning, done")
    assert "Updated #1." in out
    out = await chat.say("alice: /narrate mine")
    assert "kafka consumer tuning, done (edited)" in out
    out = await chat.say("alice: /narrate delete #1")
    assert "Deleted #1." in out
    assert [n.text for n in await _narrations(db)] == ["terraform modules"]


async def test_edit_or_delete_without_an_id_is_a_narration_with_a_hint(chat, db):
    out = await chat.say("alice: /narrate delete the stale s3 buckets")
    assert "Noted as #1." in out and "use /narrate delete with its number" in out
    assert [n.text for n in await _narrations(db)] == ["delete the stale s3 buckets"]


async def test_empty_and_oversized_narrations_are_refused_kindly(chat, db):
    await chat.say("alice: /narrate keep me")
    out = await chat.say("alice: /narrate    ")
    assert "What are you working on?" in out
    huge = "x" * 40_000
    out = await chat.say(f"alice: /narrate {huge}")
    assert "40,000 characters" in out and "Nothing was saved" in out
    out = await chat.say(f"alice: /narrate edit 1 {huge}")
    assert "unchanged" in out
    assert [n.text for n in await _narrations(db)] == ["keep me"]


async def test_unknown_command_gets_a_friendly_pointer(chat, db):
    out = await chat.say("alice: /standup what I did")
    assert "don't know the command /standup" in out and "/narrate help" in out
    assert await _narrations(db) == []


async def test_help_explains_every_command(chat):
    out = await chat.say("alice: /narrate help")
    for command in (
        "mine",
        "edit",
        "delete",
        "who",
        "team",
        "pause",
        "leave",
        "export",
        "forget-me",
        "join",
    ):
        assert f"/narrate {command}" in out, command


async def test_dm_narrations_stay_private_until_shared(chat):
    out = await chat.say("bob in dm: /narrate preparing a talk on kafka exactly-once")
    assert out.startswith("[dm bob] Noted as #1.") and "Only you can see it" in out
    assert "(button) Share with my workspace: /narrate share 1" in out
    assert "couldn't find anyone" in await chat.say("alice: /narrate who kafka")
    assert "visible to everyone" in await chat.say("bob in dm: /narrate share 1")
    out = await chat.say("alice: /narrate who kafka")
    assert "@bob" in out and "shared by them" in out


async def test_plain_dm_to_the_bot_is_a_narration(chat, db):
    out = await chat.say("bob in dm: drafting the incident review for the outage")
    assert "Noted as #1." in out
    rows = await _narrations(db)
    assert rows[0].source == "dm"


async def test_team_and_timezone(chat, db):
    assert "haven't set a team" in await chat.say("alice: /narrate team")
    assert "Your team is now payments." in await chat.say("alice: /narrate team payments")
    out = await chat.say("alice: /narrate timezone Mars/Olympus_Mons")
    assert "isn't a time zone I know" in out
    assert "Europe/Berlin" in await chat.say("alice: /narrate timezone Europe/Berlin")
    await chat.say("bob@infra: /narrate hello")
    async with db.transaction() as s:
        people = {p.user_id: p for p in (await s.exec(select(Person))).all()}
    assert people["alice"].team == "payments"
    assert people["alice"].timezone == "Europe/Berlin"
    assert people["bob"].team == "infra"


async def test_a_deleted_narrations_id_is_never_given_to_a_later_one(chat):
    """A stale "Share with my workspace: /narrate share 2" button (or an id from an old
    /narrate mine) must not act on whatever was narrated after #2 was deleted."""
    await chat.say("alice in dm: /narrate a", "alice in dm: /narrate salary notes")
    assert "Deleted #2." in await chat.say("alice in dm: /narrate delete 2")
    out = await chat.say("alice in dm: /narrate health plans")
    assert "Noted as #3." in out and "/narrate share 3" in out
    assert "no narration #2" in await chat.say("alice in dm: /narrate share 2")
    assert "couldn't find anyone" in await chat.say("bob: /narrate who health")
    mine = await chat.say("alice: /narrate mine")
    assert "#3  2026-11-23  a DM  health plans" in mine and "#2 " not in mine


async def test_work_that_starts_with_team_is_kept_and_the_team_is_untouched(chat):
    await chat.say("alice@payments: /narrate ledger fix")
    out = await chat.say("alice: /narrate team retro went well, action items filed")
    assert "Noted as #2" in out and "If you meant to set your team" in out
    assert "Your team is payments" in await chat.say("alice: /narrate team")
    assert "team retro went well" in await chat.say("alice: /narrate mine")


async def test_help_on_one_command_shows_its_lines_and_stores_nothing(chat):
    out = await chat.say("alice: /narrate schedule help")
    assert "/narrate schedule #channel weekdays 16:30" in out and "forget-me" not in out
    assert "/narrate remind me weekdays 09:30" in await chat.say("alice: /narrate help remind")
    assert "I have nothing about you yet" in await chat.say("alice: /narrate profile")


async def test_a_question_after_narrate_is_answered_and_the_asker_isnt_made_an_expert(chat):
    await chat.say("bob@search: /narrate kafka streams notes")
    out = await chat.say("zoe: /narrate who's an expert on kafka?")
    assert "@bob" in out and "Noted" not in out
    assert "@zoe" not in await chat.say("carol: /narrate who kafka")
