"""A sentence that opens with a command word and a number never deletes, publishes or rewrites.

Since DMs are read as ``/narrate`` text, "share 1 dashboards with the data team" sent to the bot
shared #1 (a private DM note) with the whole workspace, "delete 1 stale branches from the repo"
deleted #1 and "edit 2 docs pages for the launch" replaced #2's words. ``delete``, ``share`` and
``unshare`` take a number and nothing else: with more words they are a command attempt (a hint
and the "Keep as a narration" offer), in a DM and after ``/narrate`` alike. ``edit 2 <text>``
written to the bot asks first; ``/narrate edit 2 <text>`` typed as a command still applies.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration


async def _rows(db) -> list[tuple[str, str]]:
    async with db.transaction() as s:
        rows = (await s.exec(select(Narration).order_by(Narration.id))).all()
        return [(n.text, n.audience) for n in rows]


async def test_a_dm_that_starts_with_share_and_a_number_publishes_nothing(chat, db):
    await chat.say("carol in dm: salary negotiation notes, private")
    out = await chat.say("carol in dm: share 1 dashboards with the data team")
    assert "visible to everyone" not in out
    assert "If you meant to share #1, send /narrate share 1 with nothing after" in out
    assert "Nothing was shared." in out and "I didn't keep this" in out
    assert (
        "(button) Keep as a narration: /narrate note share 1 dashboards with the data team" in out
    )
    found = await chat.say("alice in #general: /narrate who salary")
    assert "carol" not in found.lower().split("who salary")[-1]
    assert await _rows(db) == [("salary negotiation notes, private", "channel")]
    # The button keeps the words as a private note (a DM's audience); #1 stays private.
    out = await chat.say("carol in dm: /narrate note share 1 dashboards with the data team")
    assert "Noted as #2." in out
    assert [audience for _, audience in await _rows(db)] == ["channel", "channel"]
    # The command itself, alone, still shares.
    out = await chat.say("carol in dm: share 1")
    assert "#1 is now visible to everyone in this workspace." in out


async def test_a_dm_that_starts_with_delete_or_unshare_and_a_number_changes_nothing(chat, db):
    await chat.say("carol in dm: fixed the kafka consumer lag")
    await chat.say("carol in dm: wrote the ledger migration plan")
    await chat.say("carol in dm: share 2")
    out = await chat.say("carol in dm: delete 1 stale branches from the repo")
    assert "Deleted" not in out and "Nothing was deleted." in out
    assert "(button) Keep as a narration: /narrate note delete 1 stale branches" in out
    out = await chat.say("carol in dm: unshare 2 old dashboards for the data team")
    assert "no longer shared" not in out and "/narrate unshare 2 with nothing after" in out
    rows = await _rows(db)
    assert rows == [
        ("fixed the kafka consumer lag", "channel"),
        ("wrote the ledger migration plan", "tenant"),
    ]
    mine = await chat.say("carol: /narrate mine")
    assert "fixed the kafka consumer lag" in mine and "wrote the ledger migration plan" in mine
    out = await chat.say("carol in dm: delete 1")
    assert "Deleted #1." in out


async def test_a_dm_that_starts_with_edit_and_a_number_asks_before_replacing(chat, db):
    await chat.say("carol in dm: fixed the kafka consumer lag")
    await chat.say("carol in dm: wrote the ledger migration plan")
    out = await chat.say("carol in dm: edit 2 docs pages for the launch")
    assert "Updated" not in out and "Did you mean to change #2?" in out
    assert "wrote the ledger migration plan" in out  # what #2 says now
    assert "(button) Replace #2 with this: /narrate edit 2 docs pages for the launch" in out
    assert "(button) Keep as a narration: /narrate note edit 2 docs pages for the launch" in out
    assert [text for text, _ in await _rows(db)] == [
        "fixed the kafka consumer lag",
        "wrote the ledger migration plan",
    ]
    out = await chat.say("carol in dm: /narrate edit 2 docs pages for the launch")  # the button
    assert "Updated #2." in out
    assert [text for text, _ in await _rows(db)][1] == "docs pages for the launch"


async def test_keep_as_a_narration_after_a_dm_edit_keeps_the_words(chat, db):
    await chat.say("carol in dm: wrote the ledger migration plan")
    out = await chat.say("carol in dm: edit 1 docs pages for the launch")
    assert "Did you mean to change #1?" in out
    out = await chat.say("carol in dm: /narrate note edit 1 docs pages for the launch")
    assert "Noted as #2." in out
    assert [text for text, _ in await _rows(db)] == [
        "wrote the ledger migration plan",
        "edit 1 docs pages for the launch",
    ]


async def test_a_dm_edit_of_a_number_that_is_not_theirs_offers_to_keep(chat, db):
    out = await chat.say("carol in dm: edit 4 docs pages for the launch")
    assert "You have no narration #4 to edit" in out
    assert "(button) Keep as a narration: /narrate note edit 4 docs pages for the launch" in out
    assert "Replace" not in out and await _rows(db) == []


async def test_slash_narrate_with_more_words_after_the_number_changes_nothing(chat, db):
    await chat.say("alice in #general: /narrate fixed the kafka consumer lag")
    out = await chat.say("alice in #general: /narrate delete 1 stale branches from the repo")
    assert "Deleted" not in out and "Nothing was deleted." in out
    out = await chat.say("alice in #general: /narrate share 1 dashboards with the data team")
    assert "visible to everyone" not in out and "Nothing was shared." in out
    assert await _rows(db) == [("fixed the kafka consumer lag", "channel")]
    # Typed as a command, edit is explicit and applies at once.
    out = await chat.say("alice in #general: /narrate edit 1 fixed the kafka consumer lag again")
    assert "Updated #1." in out


async def test_a_dm_edit_too_long_for_a_button_says_what_to_send(chat, db):
    await chat.say("carol in dm: wrote the ledger migration plan")
    long_text = "rewrote the ledger plan " + "x" * 2_100
    out = await chat.say(f"carol in dm: edit 1 {long_text}")
    assert "Did you mean to change #1?" in out
    assert f"To replace #1 with it, send /narrate edit 1 {long_text}" in out
    assert "(button)" not in out  # a cut command would replace #1 with cut text
    assert [text for text, _ in await _rows(db)] == ["wrote the ledger migration plan"]
