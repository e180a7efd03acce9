"""The who-knows product commands parse the same on every platform."""

from __future__ import annotations

import pytest

from narrate_bot.routing import Command, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ask-me-about kafka, ledgers", Command("ask_me_about", arg="kafka, ledgers")),
        ("ask-me-about", Command("ask_me_about")),
        ("hide-me kafka streams", Command("hide_me", arg="kafka streams")),
        ("unhide-me  Kafka ", Command("unhide_me", arg="Kafka")),
        ("topics", Command("topics")),
        ("profile <@U123|ann>", Command("profile", arg="<@U123|ann>")),
        ("profile", Command("profile")),
        ("ask-channel who runs cobol?", Command("ask_channel", arg="who runs cobol?")),
        ("questions-channel <#C1|qa>", Command("questions_channel", arg="<#C1|qa>")),
    ],
)
def test_product_commands(text, expected):
    assert parse_command(text) == expected


def test_topics_with_words_after_it_is_a_narration():
    assert parse_command("topics for the offsite").action == "narrate"
