"""Coming back after leaving, by any door, says so and says the pause taken before still runs.

``/narrate join`` said "still paused until …"; coming back through introductions, a reminder or a
narration said only "Welcome back", which promised prompts and answers a running pause withholds.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "door",
    [
        "alice: /narrate intros join",
        "alice: /narrate remind me weekdays 09:30",
        "alice: /narrate back on the ledger migration",
        "alice: /narrate join",
    ],
)
async def test_welcome_back_says_the_pause_still_runs(chat, door):
    await chat.say(
        ":tz alice Europe/Berlin",
        "alice: /narrate kafka lag alerts",
        "alice: /narrate pause 1w",
        "alice: /narrate leave",
    )
    out = await chat.say(door)
    assert "Welcome back" in out
    assert "still paused until 2026-11-30 09:00 Europe/Berlin" in out and "/narrate resume" in out
