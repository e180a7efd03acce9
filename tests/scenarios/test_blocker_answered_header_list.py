"""Blocker help: the questions listed after an "answered …:" header are the ones answered.
"Answered a couple of questions in #help:" then "- how do I rotate the vault tokens?" named
the people who narrate about vault tokens under the update (since 1a84e9c the quote ended at
the first bullet); an own blocker after the list still points to helpers.
"""

from __future__ import annotations

import pytest

VAULT = "dave in #general: /narrate rotated the vault tokens for the payments service"
ACLS = "carol in #general: /narrate tightened the kafka acls for the ledger topics"


def _pointer(out: str) -> str:
    """The line of the confirmation that points to people, or ``""``."""
    return next((line.strip() for line in out.splitlines() if "/narrate who" in line), "")


@pytest.mark.parametrize(
    "said",
    [
        "Answered a couple of questions in #help:\n- how do I rotate the vault tokens?\n"
        "- anyone know the kafka acl format?",
        "Replied to two threads in #eng:\n1. how do I rotate the vault tokens?",
        "Answered a question in #help:\n\nHow do I rotate the vault tokens?",
    ],
)
async def test_questions_listed_after_an_answered_header_point_to_nobody(chat, said):
    await chat.say(VAULT, ACLS)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert "Noted as #" in out and _pointer(out) == "", out


async def test_an_own_blocker_after_the_list_points_to_helpers(chat):
    """Coverage: the author's own line after the list is theirs."""
    await chat.say(VAULT, ACLS)
    said = "Answered:\n- how do I rotate the vault tokens?\nStuck on kafka acls"
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert _pointer(out).startswith("Stuck on kafka acls? @carol narrates about it: "), out
