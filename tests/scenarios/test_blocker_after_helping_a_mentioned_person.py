"""Blocker help after a report of helping: a blocker opened by a mention ("<@dave> stuck on …")
is that person's, not the author's. The mention was removed before the check of whose blocker
it is, so the author was pointed to helpers for someone else's problem.
"""

from __future__ import annotations

import pytest

ACLS = "carol in #general: /narrate tightened the kafka acls for the ledger topics"


def _pointer(out: str) -> str:
    """The line of the confirmation that points to people, or ``""``."""
    return next((line.strip() for line in out.splitlines() if "/narrate who" in line), "")


@pytest.mark.parametrize(
    "said",
    [
        "Helped carol with the deploy: <@dave> stuck on kafka acls",
        "Helped <@dave>: <@dave> still stuck on kafka acls",
        "Helped erin with the deploy, @dave stuck on kafka acls",
    ],
)
async def test_a_mentioned_persons_blocker_after_helping_points_to_nobody(chat, said):
    await chat.say(ACLS)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert "Noted as #" in out and _pointer(out) == "", out


@pytest.mark.parametrize(
    "said",
    [
        "Helped <@dave> with the deploy: stuck on kafka acls",
        "Stuck on <@dave>'s kafka acls",
        "Stuck on kafka acls, cc <@dave>",
    ],
)
async def test_a_mention_elsewhere_leaves_the_authors_blocker_and_no_topic(chat, said):
    """Coverage (worked before): a mention outside the blocker's lead is no topic, pings nobody."""
    await chat.say(ACLS)
    out = await chat.say(f"alice in #general: /narrate {said}")
    line = _pointer(out)
    assert "@carol narrates about it" in line and "dave" not in line, out
    assert "\ue000" not in out, out
