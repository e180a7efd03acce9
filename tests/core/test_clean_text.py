"""People's text is cleaned once where it enters: nothing invisible that changes how a line
reads, nothing a database refuses, and nothing kept when nothing visible was written."""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.clean_text import clean_text
from narrate_bot.routing import parse_command, parse_question


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u200b",
        "\u202e",
        "\u200b\u202e \u2066",
        "\x00",
        "\u3164",
        "\u2800\u200d",
        "\u0301",
    ],
)
def test_text_with_nothing_visible_is_empty(text):
    assert clean_text(text) == ""


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("  shipped the importer \n", "shipped the importer"),
        ("kafka \u202egnal remusnoc", "kafka gnal remusnoc"),  # the override goes, the text stays
        ("\u2067مرحبا\u2069 team", "مرحبا team"),
        ("ka\x00fka\x07 lag", "kafka lag"),
        ("line one\n\tline two", "line one\n\tline two"),
        ("\u200bkafka\u200b", "kafka"),
        ("kaf\ud800ka", "kaf\ufffdka"),  # a lone surrogate, as JSON may carry it
        ("launch \ud83d\ude80", "launch \U0001f680"),  # a pair written as two halves is one emoji
        ("👩\u200d💻 pairing", "👩\u200d💻 pairing"),  # joiners inside emoji stay
        ("cafe\u0301 ❤\ufe0f", "cafe\u0301 ❤\ufe0f"),  # marks stay on what they mark
    ],
)
def test_visible_text_keeps_its_words(text, kept):
    cleaned = clean_text(text)
    assert cleaned == kept
    cleaned.encode("utf-8")  # storable by every engine


def test_commands_and_questions_are_read_from_the_cleaned_text():
    assert parse_command("\u200b").action == "ask_text"
    assert parse_command("edit 1 \u200b") == parse_command("edit 1")
    assert parse_command("\u202eteam payments").action == "team"
    assert parse_question("who knows about \u202ekafka\u202c?") == "kafka"


async def test_a_display_name_cannot_turn_an_answer_around(bot, chat, clock):
    from narrate_bot.events import ProfileChanged, UserRef
    from narrate_bot_adapters.console.adapter import TENANT

    await chat.say("bob: /narrate upgraded the kafka brokers")
    bob = UserRef(user_id="bob", display_name="\u202ebob the builder")
    await bot.handle(ProfileChanged(tenant=TENANT, user=bob, occurred_at=clock.now()))
    out = await chat.say("zoe: /narrate who kafka")
    assert "@bob the builder" in out and "\u202e" not in out


def test_mentions_are_taken_out_of_text_that_will_be_echoed() -> None:
    from narrate_bot.knowledge.clean_text import without_markup, without_mentions

    text = "ask <@U1> and <!here> or @channel in <#C7|general>, see email@here.com"
    assert without_mentions(text).split() == [
        "ask",
        "and",
        "or",
        "in",
        ",",
        "see",
        "email@here.com",
    ]
    # In a post the words stay, defused: "@" is what pings.
    assert without_mentions("ask @here please", keep_broadcast_words=True) == "ask here please"
    assert "@" not in without_mentions("ping<@&123>me@everyone", keep_broadcast_words=True)
    # However many "@"s: "x@@here" must not leave "x@here" behind.
    doubled = without_mentions("Ping x@@here and @@@everyone", keep_broadcast_words=True)
    assert doubled == "Ping xhere and everyone"
    assert without_markup("docs <https://x.io|here> and https://y.io/z by <@U1>").split() == [
        "docs",
        "and",
        "by",
    ]
