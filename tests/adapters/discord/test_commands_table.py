"""Every Discord subcommand row reaches a core feature: none is silently kept as a narration."""

from __future__ import annotations

import pytest

from narrate_bot.routing import parse_command
from narrate_bot_adapters.discord.commands import GROUPS, core_text

SAMPLES = {
    "duration": "2w",
    "name": "payments",
    "zone": "Europe/Berlin",
    "id": "3",
    "number": "2",
    "text": "new words",
    "person": "<@123456789012345678>",
    "topics": "kafka, rate limiting",
    "topic": "kafka",
    "channel": "<#223456789012345678>",
    "when": "weekdays 09:30",
    "dates": "2026-12-24..2026-12-26",
    "state": "on",
    "how": "both",
    "question": "who runs the kafka upgrade?",
    "who": "admins",
    "command": "intros",
    "search": "kafka since 2026-11-01",
    "length": "3w",
    "interval": "2w",
    "rhythm": "biweekly",
    "by": "<@123456789012345678>",
}
ROWS = [(group, sub) for group, (_, subs) in GROUPS.items() for sub in subs]


@pytest.mark.parametrize(("group", "sub"), ROWS, ids=[f"{g} {s.name}" for g, s in ROWS])
def test_each_row_is_a_core_command_not_a_narration(group, sub):
    text = core_text(sub, {o.name: SAMPLES[o.name] for o in sub.options})
    assert parse_command(text).action != "narrate", (group, sub.name, text)


def test_discord_limits_on_groups_and_names():
    for name, (description, subs) in GROUPS.items():
        assert len(subs) <= 25 and len(description) <= 100 and len(name) <= 32
        for sub in subs:
            assert len(sub.description) <= 100 and sub.name == sub.name.lower()
