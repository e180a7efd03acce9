"""Blocker help: a sentence after a question answers it only when it says so ("A:" after "Q:",
"answer:", "solution:", "resolution:") or, opening like a finding or a decision ("Turns out …",
"We agreed …"), shares one of the question's topics. A later sentence that merely opens like an
answer silenced every question before it, whatever it was about.
"""

from __future__ import annotations

import pytest

VAULT = "dave in #general: /narrate rotated the vault tokens for the payments service"
LEDGER = "erin in #general: /narrate the ledger export times out under load, profiled it"
TERRAFORM = "frank in #general: /narrate moved the staging stack to terraform cloud"


def _pointer(out: str) -> str:
    """The line of the confirmation that points to people, or ``""``."""
    return next((line.strip() for line in out.splitlines() if "/narrate who" in line), "")


@pytest.mark.parametrize(
    ("said", "helper"),
    [
        ("How do I rotate the vault tokens? Turns out the docs are outdated.", "@dave"),
        (
            "Profiling exports. Anyone know why the ledger export times out?"
            " Turns out only on Mondays.",
            "@erin",
        ),
        ("Has anybody used terraform cloud? We agreed to ship Friday, so it matters.", "@frank"),
        ("How do we split the vault tokens? a) per service or b) per team.", "@dave"),
        (
            "Profiling. Anyone know why the ledger export times out? Also rotated certs."
            " We decided: Monday.",
            "@erin",
        ),
    ],
)
async def test_a_later_sentence_that_answers_nothing_keeps_the_question(chat, said, helper):
    await chat.say(VAULT, LEDGER, TERRAFORM)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert helper in _pointer(out), out


@pytest.mark.parametrize(
    "said",
    [
        "How do we rotate the vault tokens? Turns out a cron job rotates the vault tokens.",
        "How do we rotate the vault tokens? Solution: the cron job from the infra repo.",
        "How do we rotate the vault tokens? Resolution: a cron job.",
    ],
)
async def test_a_sentence_that_answers_its_question_still_silences_it(chat, said):
    """Coverage (worked before): the answers that still count."""
    await chat.say(VAULT)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert "Noted as #" in out and _pointer(out) == "", out
