"""The command a blocker's hint suggests reads as one to type: no leading article or question
phrase ("/narrate who the kafka consumer rebalancing", "/narrate who why does the ledger export
time out shows why" read as typos), and typing it names the same people the hint named."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

HINT = re.compile(
    r"(?P<named>(?:@\w+(?:, | and )?)+) narrates? about it: "
    r"/narrate who (?P<topic>[^\n]+?) shows why\."
)


@pytest.fixture
async def team(chat, clock):
    await chat.say(
        "carol: /narrate kafka consumer rebalancing on the billing cluster",
        "erin: /narrate tuned the kafka consumer rebalancing timeouts",
        "dave: /narrate ledger export time out fixed by batching the ledger export",
        "bob: /narrate lunch",
    )
    clock.advance(timedelta(days=1))
    return chat


@pytest.mark.parametrize(
    ("said", "whole", "topic"),
    [
        (
            "stuck on the kafka consumer rebalancing",
            "the kafka consumer rebalancing",
            "kafka consumer rebalancing",
        ),
        (
            "shipped the report. why does the ledger export time out?",
            "why does the ledger export time out",
            "ledger export time out",
        ),
        (
            "is there a way to speed up the ledger export?",
            "is there a way to speed up the ledger export",
            "speed up the ledger export",
        ),
    ],
)
async def test_the_hint_names_a_command_that_finds_the_same_people(team, said, whole, topic):
    out = await team.say(f"alice: /narrate {said}")
    hint = HINT.search(out)
    assert hint is not None, out
    assert hint.group("topic") == topic, out
    named = set(re.findall(r"@(\w+)", hint.group("named")))
    typed = await team.say(f"alice: /narrate who {hint.group('topic')}")
    assert named and named <= set(re.findall(r"@(\w+)", typed)), typed
    # The search the hint names is the one it ran: the whole topic as said finds the same people.
    said_whole = await team.say(f"alice: /narrate who {whole}")
    assert re.findall(r"@(\w+)", said_whole) == re.findall(r"@(\w+)", typed)
