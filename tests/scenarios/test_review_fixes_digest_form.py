"""Review fixes through the console: the weekly digest lists the open questions posted with
/narrate ask-channel (only where its readers may see them), and an open /narrate form no longer
keeps a who-knows question as a narration."""

from __future__ import annotations

from tests.scenarios.test_privacy import _rows_mentioning

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC); a digest "on mon 12:00"
# (UTC: nobody set a zone) goes out the same day, and once a week after.


def _said_in(out: str, destination: str) -> str:
    """The messages the console printed to ``destination`` (e.g. ``#team thread``)."""
    blocks: list[list[str]] = []
    for line in out.splitlines():
        if line.startswith("["):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return "\n".join(
        "\n".join(block) for block in blocks if block[0].startswith(f"[{destination}] ")
    )


async def test_the_digest_lists_a_question_posted_with_ask_channel(chat):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate moving the ledger to kafka",
        "bob@infra in #team: /narrate kafka broker upgrade",
        "alice: /narrate questions-channel #team",
    )
    out = await chat.say("zoe: /narrate join", "zoe: /narrate ask-channel #team who knows cobol?")
    assert "[#team] @zoe is looking for someone who knows about “cobol”" in out
    await chat.say("alice: /narrate schedule digest #team on mon 12:00")
    thread = _said_in(await chat.say(":advance 7d"), "#team thread")
    assert "kafka: infra, payments" in thread
    assert "Open questions someone here could help with:" in thread
    # Posted in #team itself, so the line needn't say where.
    assert "• @zoe is looking for someone who knows about “cobol”\n" in thread + "\n"
    assert "@alice" not in thread and "@bob" not in thread  # still no roll-call


async def test_a_question_posted_in_a_private_channel_stays_in_that_channels_digest(chat):
    await chat.say(
        ":channel #team public",
        ":channel #secret private alice,carol,zoe",  # only members may post there
        "alice@payments in #general: /narrate moving the ledger to kafka",
        "alice: /narrate questions-channel #secret",
        "zoe: /narrate join",  # the digest lists only the questions of people taking part
        "zoe: /narrate ask-channel #secret who knows cobol?",
        "alice: /narrate schedule digest #team on mon 12:00",
        "alice in #secret: /narrate schedule digest on mon 12:00",
    )
    out = await chat.say(":advance 7d")
    assert "This week, as #team can see it: 1 narration" in out
    assert "cobol" not in _said_in(out, "#team") + _said_in(out, "#team thread")
    assert "@zoe is looking for someone who knows about “cobol”" in _said_in(out, "#secret thread")


async def test_a_public_questions_channel_is_named_and_a_shared_channel_gets_only_its_own(chat):
    await chat.say(
        ":channel #team public",
        ":channel #questions public",
        ":channel #partner shared alice,pat",
        "alice@payments in #general: /narrate moving the ledger to kafka",
        "pat in #partner: /narrate reviewing the partner api contract",
        "alice: /narrate questions-channel #questions",
        "zoe: /narrate join",  # the digest lists only the questions of people taking part
        "zoe: /narrate ask-channel #questions how do we rotate the ledger keys?",
        "alice: /narrate schedule digest #team on mon 12:00",
        "alice in #partner: /narrate schedule digest on mon 12:00",
    )
    out = await chat.say(":advance 7d")
    assert (
        "• @zoe is looking for someone who knows about “how do we rotate the ledger keys” "
        "(in #questions)" in _said_in(out, "#team thread")
    )
    partner = _said_in(out, "#partner") + _said_in(out, "#partner thread")
    assert "This week, as #partner can see it: 1 narration" in partner
    assert "rotate" not in partner and "zoe" not in partner


async def test_a_week_with_only_a_question_still_gets_a_digest_and_it_is_gone_a_week_later(chat):
    await chat.say(
        ":channel #team public",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate join",  # the digest lists only the questions of people taking part
        "zoe: /narrate ask-channel #team who knows cobol?",
        "alice: /narrate schedule digest #team on mon 12:00",
    )
    out = await chat.say(":advance 7d")
    assert (
        "[#team] This week, as #team can see it: no narrations, but open questions someone "
        "here could help with are in the thread." in out
    )
    assert "@zoe is looking for someone who knows about “cobol”" in _said_in(out, "#team thread")
    assert "This week" not in await chat.say(":advance 7d")  # last week's question isn't again


async def test_forget_me_takes_the_askers_questions_out_of_the_digest(chat, db):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate moving the ledger to kafka",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate ask-channel #team who knows zanzicobol?",
    )
    assert await _rows_mentioning(db, "zanzicobol")  # kept for the digest
    await chat.say("zoe: /narrate forget-me", "zoe: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "zanzicobol") == []
    await chat.say("alice: /narrate schedule digest #team on mon 12:00")
    out = await chat.say(":advance 7d")
    assert "This week, as #team can see it: 1 narration" in out
    assert "zanzicobol" not in out and "zoe" not in out


async def test_a_question_to_the_bot_is_answered_while_the_narration_form_is_open(chat):
    await chat.say("bob@infra in #infra: /narrate upgraded the kafka brokers")
    out = await chat.say("alice: /narrate")
    assert "your next line here fills the form" in out
    out = await chat.say("alice: @narrate who knows about kafka?")
    assert "Who knows about “kafka”" in out and "@bob" in out
    assert "Noted" not in out
    assert "[console] alice's form is still open" in out
    # Another mention isn't the form's text either; the next plain line is.
    out = await chat.say("alice: @narrate hello there")
    assert "Ask me “who knows about <topic>?”" in out and "Noted" not in out
    assert "Noted as #1" in await chat.say("alice: wrote the ledger importer")
    mine = await chat.say("alice: /narrate mine")
    assert "wrote the ledger importer" in mine
    assert "@narrate" not in mine and "who knows" not in mine and "hello" not in mine
