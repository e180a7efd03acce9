"""Blocker help after a report of helping: "we are both stuck on …", "kept getting stuck on …"
are the author's blockers too (they named helpers before 196d98b, and nobody after it).
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
        "Helped erin with the release; we are both stuck on kafka acls",
        "Helped erin with the release, then kept getting stuck on kafka acls",
        "Helped erin with the release; we all keep getting stuck on kafka acls",
    ],
)
async def test_a_blocker_shared_with_the_person_helped_points_to_helpers(chat, said):
    await chat.say(ACLS)
    out = await chat.say(f"alice in #general: /narrate {said}")
    assert "@carol narrates about it" in _pointer(out), out


async def test_the_person_helpeds_own_blocker_still_points_to_nobody(chat):
    """Coverage (worked before)."""
    await chat.say(ACLS)
    out = await chat.say(
        "alice in #general: /narrate Helped erin with the release,"
        " she kept getting stuck on kafka acls"
    )
    assert "Noted as #" in out and _pointer(out) == "", out
