"""A who-knows answer posted in a channel quotes the narrations it shows as evidence; their
delete, edit, unshare and their author's forget-me reach that answer (ADR 0012: "edit and
delete follow it"), through the console, which posts answers as the platforms do.

Found by privacy review: the channel's answer kept quoting a deleted narration for good."""

from __future__ import annotations

import re

from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
REMOVED = "(removed by its author)"
FORGOTTEN = "(Removed: you asked me to forget you, so this message shows nothing any more.)"


async def _answered(chat, *narrations: str, where: str = "#general") -> str:
    out = await chat.say(
        *[f"alice in {where}: /narrate {text}" for text in narrations],
        f"bob in {where}: @narrate who knows about kafka?",
    )
    answer = _said_in(out, f"{where} thread")
    assert "Who knows about “kafka”" in answer and "@alice" in answer, out
    return out


def _edited(out: str, where: str = "#general") -> str:
    """The answer as the console printed it when edited."""
    assert re.search(rf"\[console\] edited a\d+ in {where}", out), out
    return _said_in(out, f"{where} thread")


async def test_delete_takes_the_quote_out_of_the_channels_answer(chat):
    await _answered(chat, SECRET)
    out = await chat.say("alice: /narrate delete 1")
    assert "Deleted #1" in out and "still shows" not in out, out
    answer = _edited(out)
    assert "hunter2" not in answer and "@alice" not in answer, answer
    assert REMOVED in answer and "Who knows about “kafka”" in answer


async def test_delete_of_one_of_two_keeps_the_other_and_its_author(chat):
    await _answered(chat, SECRET, "kafka consumer lag dashboards")
    answer = _edited(await chat.say("alice: /narrate delete 1"))
    assert "hunter2" not in answer
    assert "kafka consumer lag dashboards" in answer and "@alice" in answer


async def test_edit_refreshes_the_quote(chat):
    await _answered(chat, SECRET)
    answer = _edited(await chat.say("alice: /narrate edit 1 kafka rebalancing notes"))
    assert "hunter2" not in answer and "“kafka rebalancing notes”" in answer


async def test_forget_me_of_the_quoted_person_takes_them_out(chat):
    await _answered(chat, SECRET)
    out = await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out
    answer = _edited(out)
    assert "hunter2" not in answer and "@alice" not in answer


async def test_the_askers_forget_me_keeps_others_quotes_followed(chat):
    """bob asked; his forget-me edits nothing (the answer names and quotes only alice), and
    alice's later delete still reaches the answer."""
    await _answered(chat, SECRET)
    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "[console] edited" not in out, out
    answer = _edited(await chat.say("alice: /narrate delete 1"))
    assert "hunter2" not in answer


async def test_unshare_removes_a_quote_the_channel_may_no_longer_read(chat):
    out = await chat.say(
        ":channel #secret private alice",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",  # the whole workspace's: #general's answer may quote it
        "bob in #general: @narrate who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "#general thread"), out
    answer = _edited(await chat.say("alice: /narrate unshare 1"))
    assert "hunter2" not in answer and REMOVED in answer


async def test_a_private_answer_is_not_edited(chat):
    """ "/narrate who" answers the asker alone (ephemeral on the platforms): nothing to edit."""
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}", "bob in #general: /narrate who kafka"
    )
    assert "hunter2" in _said_in(out, "only bob in #general"), out
    assert "[console] edited" not in await chat.say("alice: /narrate delete 1")


async def test_an_answer_in_the_askers_dm_is_edited(chat):
    """A DM answer is a message like a followed-topics DM: kept with its asker as its reader."""
    out = await chat.say(
        "bob: /narrate join",
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    out = await chat.say("alice: /narrate delete 1")
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    assert "hunter2" not in _said_in(out, "dm bob")


async def test_the_askers_forget_me_empties_their_dm_answer(chat):
    """The DM answer is its asker's: their forget-me first edits it to quote nothing (the DM
    stays on the platform, and once its record goes a later delete could no longer reach it),
    then forgets it: the later delete of what it quoted has nothing left to edit."""
    out = await chat.say(
        "bob: /narrate join",
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out, out
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    dm = _said_in(out, "dm bob")
    assert "hunter2" not in dm and "@alice" not in dm and FORGOTTEN in dm, dm
    assert "kafka" not in dm  # nor what bob asked about
    assert "[console] edited" not in await chat.say("alice: /narrate delete 1")
