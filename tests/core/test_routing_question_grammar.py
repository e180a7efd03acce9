"""The ways people ask "who knows about X?", and the work updates that only look like it.

Both directions matter: a question kept as a narration makes the asker the "expert" on what they
asked; a narration taken for a question is work the bot silently didn't keep.
"""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.words import search_terms
from narrate_bot.routing import Command, parse_command, parse_question


@pytest.mark.parametrize(
    "text",
    [
        "who's the expert on kafka?",
        "who’s the expert on kafka?",
        "who is the expert on kafka",
        "who are the experts on kafka?",
        "who's our kafka expert?",
        "who is the kafka expert",
        "who is the go-to person for kafka?",
        "can anyone help with kafka?",
        "could somebody help me with kafka",
        "is anyone familiar with kafka?",
        "anyone here familiar with kafka?",
        "who here knows kafka?",
        "who can I ask about kafka?",
        "who do I ask about kafka",
        "who should we talk to about kafka?",
        "does somebody know kafka?",
        "does anyone here know about kafka?",
        "does anyone know anything about kafka?",
        "who has experience with kafka?",
        "hey team, who knows kafka?",
        "hey @narrate who knows about kafka?",  # the mention after a greeting
        "hi, <@U0BOT>: who knows about kafka?",
    ],
)
def test_common_wordings_are_questions(text):
    assert parse_question(text) == "kafka"
    assert parse_command(text) == Command("who", arg="kafka")


@pytest.mark.parametrize(
    "text",
    [
        "helped bob with kafka",
        "who knew the deploy would break, fixed it",
        "someone working on kafka broke prod, rolled back",
        "somebody knows the drill: rotated the certs",
        "hi all, quick one: anyone around for the retro?",
        "expert review of the kafka brokers done",
        "asked who owns the ledger, it's payments",
        # A bare "anyone" with no question word and no "?" is an update.
        "anyone used to the old deploy flow should read the runbook I wrote for it",
        "anyone experienced with terraform can now use the module I published today",
        "anyone else working on the release: I cut rc2",
    ],
)
def test_work_updates_that_mention_helping_or_knowing_stay_narrations(text):
    assert parse_question(text) is None
    assert parse_command(text).action == "narrate"


@pytest.mark.parametrize(
    "text",
    [
        "who knows about kafka? thanks!",
        "hi, who can help with kafka? thanks in advance 🙏",
        "who knows about kafka, any help appreciated",
        "who knows about kafka thanks a lot",
        "anyone know kafka? pls",
        "who knows kafka please 🙏🏽",
        "who knows about kafka? I'm stuck, see https://wiki.example.com/runbooks/kafka",
    ],
)
def test_the_topic_ends_at_the_question_mark_and_courtesy_is_dropped(text):
    assert parse_question(text) == "kafka"


def test_a_topic_that_looks_like_thanks_is_still_the_topic():
    """ "ty" is a type checker before it is "thank you": courtesy never empties a topic."""
    assert parse_question("who knows about ty?") == "ty"


def test_help_stays_searchable_as_a_topic_word():
    """Courtesy is cut from the end of a question, never dropped from the words searched."""
    assert parse_question("who knows about help text?") == "help text"
    assert [t.words for t in search_terms("help text")] == [("help",), ("text",)]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("who knows about @bob?", "@bob"),
        ("who knows about <@U123>?", "<@U123>"),
        ("who <@U123|bob>", "<@U123|bob>"),
    ],
)
def test_a_question_about_one_person_keeps_the_person(text, topic):
    assert parse_command(text) == Command("who", arg=topic)
    assert parse_question(text.replace("who <", "who knows <")) == topic


@pytest.mark.parametrize(
    "text",
    [
        "who knows about <https://kafka.apache.org|kafka.apache.org>?",
        "who knows about https://kafka.apache.org/documentation ?",
        "who knows about @here?",
    ],
)
def test_a_question_with_nothing_to_search_is_still_a_question(text):
    """Empty, so it is answered (and never stored as a narration in a DM)."""
    assert parse_question(text) == ""


@pytest.mark.parametrize(
    ("text", "topic"),
    [("who .NET", ".NET"), ("who knows .NET?", ".NET"), ("who 404", "404"), ("who C#?", "C#")],
)
def test_symbols_and_numbers_are_echoed_as_typed(text, topic):
    assert parse_command(text) == Command("who", arg=topic)


def test_links_and_markup_are_never_searched():
    terms = search_terms(
        "kafka <https://wiki.example.com/x|runbook> https://docs.example.com <@U1>"
    )
    assert [t.label() for t in terms] == ["kafka"]


def test_literal_angle_brackets_in_text_stay_searchable():
    """Only markup opening with a sigil or a scheme is markup: "<email>" typed on Discord (or in
    a commit message) is text."""
    assert [t.label() for t in search_terms("gopls: sync <email>")] == ["gopls", "sync", "email"]


def test_dotnet_is_searched_as_itself_not_as_net():
    # By its own token (``words.symbol_token``), which only a narration spelling .NET holds.
    assert [(t.words, t.literal) for t in search_terms(".NET")] == [(("sym0net0dot0",), ".NET")]
    # Written as a word, "net" is still a word.
    assert [t.label() for t in search_terms("net revenue")] == ["net", "revenue"]
