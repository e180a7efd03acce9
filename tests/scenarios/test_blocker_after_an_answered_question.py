"""Blocker help: the question quoted after "answered …:" ends with its line when a later line is
the author's own. "Answered a question in #help: how do I rotate the vault tokens?" then, on a
line, bullet or paragraph of its own, "Stuck on kafka acls" named nobody: the quote ran to the
end of the narration. It still runs on through a pasted post's lines about the same thing.
"""

from __future__ import annotations

import pytest

ACLS = "carol in #general: /narrate tightened the kafka acls for the ledger topics"
EXPORT = "erin in #general: /narrate the ledger export times out under load, profiled it"


def _pointer(out: str) -> str:
    """The line of the confirmation that points to people, or ``""``."""
    return next((line.strip() for line in out.splitlines() if "/narrate who" in line), "")


@pytest.mark.parametrize(
    "said",
    [
        "Answered a question in #help: how do I rotate the vault tokens?\nStuck on kafka acls",
        "Answered a question in #help: how do I rotate the vault tokens?\n\nStuck on kafka acls",
        "- answered bob: how do I rotate the vault tokens?\n- stuck on kafka acls",
        "1. answered bob: how do I rotate the vault tokens?\n2. stuck on kafka acls",
        "replied to dave: use the periodic role. [vault]\nI'm still stuck on kafka acls",
    ],
)
async def test_a_blocker_after_an_answered_question_points_to_helpers(chat, said):
    await chat.say(ACLS)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert _pointer(out).startswith("Stuck on kafka acls? @carol narrates about it: "), out


@pytest.mark.parametrize(
    "said",
    [
        "answered: Why does the ledger export time out? [ledger]\nStuck on the export since May.",
        "Answered a question in #help: how do I rotate the vault tokens? Stuck on kafka acls",
    ],
)
async def test_the_answered_question_itself_points_to_nobody(chat, said):
    """Coverage (worked before): a pasted post's next line about the same thing, and the rest
    of the quote's own line, are still the question answered."""
    await chat.say(ACLS, EXPORT)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert "Noted as #" in out and _pointer(out) == "", out
