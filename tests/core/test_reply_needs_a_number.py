"""``/narrate reply`` followed by something that isn't a prompt's number is explained, not stored;
a narration that merely starts with the word "reply" is still kept.

The wording rule is checked on ``parse_command``, the outcome through the console (the real Bot).
"""

from __future__ import annotations

import pytest

from narrate_bot.routing import Command, parse_command
from tests.helpers import Chat

NOTHING_KEPT = "You haven't narrated anything yet"
SENTENCE = "reply templates for the support team are done"


@pytest.mark.parametrize(
    "rest", ["x", "foo", "#x", "x1", "1234567890", "3 done", "#3 shipped the importer", "#x later"]
)
def test_an_attempt_at_a_prompt_number_is_the_command(rest: str) -> None:
    assert parse_command(f"reply {rest}") == Command("reply", arg=rest)


@pytest.mark.parametrize("text", [SENTENCE, "Reply drafts for the legal review", "reply foo bar"])
def test_a_sentence_starting_with_reply_is_a_narration_told_about_the_command(text: str) -> None:
    command = parse_command(text)
    assert command.action == "narrate" and command.arg == text
    assert command.hint is not None and "/narrate reply <number>" in command.hint


@pytest.mark.parametrize("text", ["reply 1", "reply #12"])
def test_a_prompt_number_still_opens_the_form(text: str) -> None:
    assert parse_command(text).action == "reply"


@pytest.mark.parametrize("typed", ["reply x", "reply #x", "reply x1", "reply 3 done"])
async def test_reply_without_a_prompt_number_explains_and_stores_nothing(
    chat: Chat, typed: str
) -> None:
    out = await chat.say(f"alice: /narrate {typed}")
    assert "I didn't record that" in out
    assert "/narrate reply <number>" in out and "/narrate schedule list" in out
    assert "Noted" not in out and "taking part" not in out
    assert NOTHING_KEPT in await chat.say("alice: /narrate mine")


async def test_a_narration_that_starts_with_reply_is_kept(chat: Chat) -> None:
    out = await chat.say(f"alice: /narrate {SENTENCE}")
    assert "Noted as #1" in out
    assert "If you meant to answer a prompt: /narrate reply <number>." in out
    mine = await chat.say("alice: /narrate mine")
    assert "support team are done" in mine
    assert "alice" in await chat.say("bob: /narrate who reply templates")


async def test_with_a_prompt_the_number_opens_its_form_and_other_words_do_not(chat: Chat) -> None:
    await chat.say(
        ":channel #team public",
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        ":advance 8h",
    )
    assert "I didn't record that" in await chat.say("bob in #team: /narrate reply one")
    assert "fills the form" in await chat.say("bob in #team: /narrate reply 1")
    assert "Noted as #1" in await chat.say("bob in #team: wiring the ledger importer")
