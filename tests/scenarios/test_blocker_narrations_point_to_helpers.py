"""A narrated blocker or question is pointed to the people who can help, through the console.

Before, "stuck on postgres autovacuum thresholds" was kept (and counted as its author's
expertise) and nobody was pointed anywhere. Now the author's confirmation, which only they see,
also names up to three people the author's own "/narrate who <topic>" would name: what
the author may read, nobody hidden, paused or the author; with nobody to name, the
open-questions channel is offered. Ordinary narrations and rhetorical questions are confirmed
as before.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

STUCK = "alice: /narrate stuck on postgres autovacuum thresholds, anyone know how they work?"
POINTED = (
    "Stuck on postgres autovacuum thresholds? @carol and @erin narrate about it: "
    "/narrate who postgres autovacuum thresholds shows why. Only you see this; nobody "
    "was told."
)


@pytest.fixture
async def dba(chat, clock):
    await chat.say(
        "alice: /narrate joined the team",
        "carol: /narrate tuned autovacuum thresholds on the orders table",
        "carol: /narrate postgres autovacuum scale factor notes for the billing db",
        "erin: /narrate postgres vacuum and autovacuum logging",
        "bob: /narrate kafka consumer rebalancing",
    )
    clock.advance(timedelta(days=2))
    return chat


def _only_to(out: str, who: str) -> None:
    """The people named in ``out`` are named to ``who`` alone: every message that names anyone
    (or says who could help) is ``who``'s private one, so nobody else is told or pinged."""
    blocks: list[list[str]] = []
    for line in out.splitlines():
        if line.startswith("[") or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    helpers = ("@bob", "@carol", "@dave", "@erin", "@frank", "@gina", "about it")
    naming = [b for b in blocks if any(h in line for h in helpers for line in b)]
    assert naming, out
    for block in naming:
        assert block[0].startswith((f"[only {who} ", f"[dm {who}]")), out


async def test_a_blocker_names_who_narrates_about_it_to_its_author_alone(dba):
    out = await dba.say(STUCK)
    assert out.startswith("[only alice in #general] Noted as #2.")
    assert POINTED in out
    assert "@bob" not in out
    _only_to(out, "alice")
    # The very people, in the very order, the author's own question names.
    answer = await dba.say("alice: /narrate who knows postgres autovacuum thresholds")
    assert answer.index("@carol") < answer.index("@erin") and "@bob" not in answer


async def test_at_most_three_people_and_never_the_author(dba):
    await dba.say(
        "dave: /narrate autovacuum thresholds on the events db",
        "frank: /narrate autovacuum settings review",
    )
    out = await dba.say("carol: /narrate blocked on autovacuum thresholds for the ledger")
    line = next((line.strip() for line in out.splitlines() if "Blocked on" in line), "")
    assert line.startswith("Blocked on autovacuum thresholds for the ledger? ")
    assert "@carol" not in line
    assert line.count("@") == 3 and "@dave narrates about it, and " in line
    # Matched on only one of its words: named with that word, not as narrating about it.
    assert "@frank and @erin narrate about autovacuum: " in line, line


async def test_private_channel_evidence_names_nobody_to_an_author_outside_it(chat, clock):
    await chat.say(
        ":channel #dba private carol,erin",
        "alice: /narrate joined the team",
        "carol in #dba: /narrate pgbouncer pooling modes for the billing db",
        "dave in dm: /narrate pgbouncer transaction pooling notes",
    )
    clock.advance(timedelta(days=1))
    out = await chat.say("alice: /narrate need help with pgbouncer pooling")
    assert "Noted as #2." in out
    assert "@carol" not in out and "@dave" not in out and "narrate about it" not in out
    # A member of the channel may read carol's narration: she is named to them. Dave's DM,
    # never.
    out = await chat.say("erin in #dba: /narrate need help with pgbouncer pooling")
    assert "Need help with pgbouncer pooling? " in out and "@carol" in out
    assert "@dave" not in out
    _only_to(out, "erin")


async def test_hidden_paused_and_departed_people_are_not_named(dba):
    await dba.say(
        "carol: /narrate hide-me autovacuum",
        "erin: /narrate pause 3d",
        "dave: /narrate autovacuum cost limits",
        "gina: /narrate autovacuum freeze age alerts",
        ":gone gina",
    )
    out = await dba.say("alice: /narrate stuck on autovacuum")
    assert "Stuck on autovacuum? @dave narrates about it" in out
    assert "@carol" not in out and "@erin" not in out and "@gina" not in out


async def test_a_guest_is_pointed_to_nobody(dba):
    # A guest may not ask who knows: names would come from what members narrated.
    await dba.say(
        ":guest pat", ":channel #questions public", "zoe: /narrate questions-channel here"
    )
    out = await dba.say("pat: /narrate stuck on postgres autovacuum thresholds")
    assert "Noted as #1." in out
    assert "@carol" not in out and "about it" not in out and "(button)" not in out


async def test_nobody_found_offers_the_open_questions_channel(chat):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    out = await chat.say("alice: /narrate blocked on the cobol mainframe batch")
    assert "Noted as #1." in out
    assert (
        "Blocked on the cobol mainframe batch? I found nobody who narrates about it where you "
        "can read. Want me to post your question in #questions, so someone there can pick it up?"
    ) in out
    assert (
        "(button) Ask in #questions: /narrate ask-channel <#questions> the cobol mainframe batch"
    ) in out
    _only_to(out, "alice")
    posted = await chat.say("alice: /narrate ask-channel <#questions> the cobol mainframe batch")
    assert "[#questions] @alice is looking for someone who knows about" in posted


async def test_nobody_found_and_no_questions_channel_leaves_the_confirmation_as_it_was(chat):
    out = await chat.say("alice: /narrate blocked on the cobol mainframe batch")
    assert "Noted as #1." in out
    assert "nobody" not in out and "(button)" not in out and "questions" not in out


async def test_an_ordinary_narration_is_confirmed_as_before(dba):
    out = await dba.say("alice: /narrate reviewed the postgres autovacuum thresholds PR")
    assert out == "[only alice in #general] Noted as #2. Topics: postgres, autovacuum, threshold.\n"


async def test_a_rhetorical_question_is_confirmed_as_before(dba):
    out = await dba.say("alice: /narrate What did I do today? Tuned postgres autovacuum")
    assert out == "[only alice in #general] Noted as #2. Topics: postgres, autovacuum.\n"


async def test_every_way_of_narrating_points_to_helpers(dba):
    out = await dba.say("alice in dm: stuck on postgres autovacuum thresholds")
    assert POINTED in out
    _only_to(out, "alice")
    await dba.say("alice: /narrate")
    out = await dba.say("alice: stuck on postgres autovacuum thresholds")
    assert "Noted as #3." in out and POINTED in out
    await dba.say(
        ":channel #team public",
        "alice in #team: /narrate schedule #team weekdays 16:30 What are you stuck on?",
        ":advance 9h",
    )
    out = await dba.say("alice in #team thread: stuck on postgres autovacuum thresholds")
    assert "Noted as #4." in out and POINTED in out
    _only_to(out, "alice")
    await dba.say("alice in #team: /narrate reply 1")
    # Not the thread reply's words again: the same update sent twice is kept once.
    out = await dba.say("alice in #team: still stuck on postgres autovacuum thresholds")
    assert "Noted as #5" in out and POINTED in out
    _only_to(out, "alice")


async def test_a_failing_search_keeps_the_narration_and_says_nothing_more(dba, monkeypatch, caplog):
    # Imported here, so the unchanged confirmations above are checked on code without it too.
    from narrate_bot.features import blocker_help

    async def broken(*args, **kwargs):
        raise RuntimeError("the search broke")

    monkeypatch.setattr(blocker_help, "rank_experts", broken)
    with caplog.at_level(logging.DEBUG, logger="narrate_bot.features.blocker_help"):
        out = await dba.say("alice: /narrate stuck on postgres autovacuum thresholds")
    assert out == (
        "[only alice in #general] Noted as #2. Topics: postgres, autovacuum, threshold.\n"
    )
    assert "#2" in await dba.say("alice: /narrate mine")
    logged = [r for r in caplog.records if r.name == "narrate_bot.features.blocker_help"]
    assert [r.levelno for r in logged] == [logging.DEBUG]
    assert "RuntimeError" in logged[0].getMessage()
    assert "autovacuum" not in logged[0].getMessage()
