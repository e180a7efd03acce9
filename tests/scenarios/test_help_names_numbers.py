"""Help names the number /narrate mine (and schedule list) shows, as the replies do since
39b94d7, not an "<id>" to decode."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("topic", "line"),
    [
        ("mine", "/narrate mine: your recent narrations, each with its number"),
        ("edit", "/narrate edit <number> <text> · /narrate delete <number>"),
        ("share", "/narrate share <number> · /narrate unshare <number>"),
        ("schedule remove", "· list · remove <number> · skip <date>"),
        ("reply", "/narrate reply <number>: write your update to a prompt"),
    ],
)
async def test_help_says_number_where_it_said_id(chat, topic, line):
    assert line in await chat.say(f"alice: /narrate help {topic}")


async def test_help_names_the_way_to_keep_words_that_read_like_a_command(chat):
    out = await chat.say("alice: /narrate help note")
    assert "/narrate note <text>: keep it as written" in out
