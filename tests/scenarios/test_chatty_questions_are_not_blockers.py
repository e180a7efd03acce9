"""An ordinary update that ends with a question is confirmed as an update, through the console.

Before, any narration whose last sentence ended with "?" was taken for a call for help: "Pushed
the fix to prod. Fingers crossed?" was confirmed with 'Asking “Fingers crossed?” I found nobody
who narrates about it… Want me to post your question in #questions' and a button that would
post "Fingers crossed" there; "does anyone else hate helm as much as I do?" with 'Asking about
else hate helm…'; a report of answering someone ("Answered a question in #help: how do I rotate
the vault tokens?") named the people who know about vault tokens. Now a bare question asks only
when it seeks a fact or a way ("why does …", "is there …", "which … should we"), and a long one
is said back by its end, where its subject is.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

CHATTY = [
    "Pushed the fix to prod. Fingers crossed?",
    "Shipped the release. Can you believe it?",
    "Closed 12 tickets on the vault tokens today. Not bad for a Monday, right?",
    "Spent the day on the kubernetes upgrade, does anyone else hate helm as much as I do?",
    "Answered a question in #help: how do I rotate the vault tokens?",
    "answered: how do I rotate the vault tokens? Renew them with the periodic role.",
    "Helped bob with the question: how can we rotate the vault tokens?",
    "Released the new onboarding flow. Did you see the conversion numbers?",
    "Coffee run to the new place downstairs at 3. Who wants coffee?",
    "Deployed the vault token rotation. What could possibly go wrong?",
    # Not a question, but no blocker either: a chore to bear.
    "Stuck with the on-call pager this week, so fewer PRs from me.",
]


@pytest.fixture
async def vault(chat, clock):
    await chat.say(
        ":channel #questions public",
        "zoe: /narrate questions-channel #questions",
        "carol: /narrate rotated the vault tokens with the periodic role",
        "carol: /narrate vault token renewal runbook",
        "erin: /narrate helm chart values for the kubernetes upgrade",
    )
    clock.advance(timedelta(days=1))
    return chat


@pytest.mark.parametrize("update", CHATTY)
async def test_an_update_ending_with_a_question_is_only_confirmed(vault, update: str) -> None:
    out = await vault.say(f"alice: /narrate {update}")
    assert "Noted as #1." in out
    assert "Asking" not in out and "about it" not in out, out
    assert "@carol" not in out and "@erin" not in out, out
    assert "(button)" not in out and "#questions" not in out, out


async def test_a_question_that_seeks_a_way_still_points_to_help(vault) -> None:
    out = await vault.say(
        "alice: /narrate Moved CI to the new secrets store, does anyone else know how to rotate "
        "the vault tokens without downtime?"
    )
    assert (
        "Asking about how to rotate the vault tokens without downtime? @carol narrates about it"
    ) in out, out
    out = await vault.say("bob: /narrate Spent the morning on CI. Why do the vault tokens expire?")
    assert "Asking “Why do the vault tokens expire?” @carol narrates about it" in out, out


async def test_a_long_question_is_said_back_by_its_end(vault) -> None:
    out = await vault.say(
        "alice: /narrate Quick fix to get the vault tokens renewed, but what really is the right "
        "answer for the periodic role on Windows?"
    )
    assert (
        "Asking “what really is the right answer for the periodic role on Windows?” "
        "@carol narrates about it: /narrate who what really is the right answer for the "
        "periodic role on Windows shows why."
    ) in out, out
