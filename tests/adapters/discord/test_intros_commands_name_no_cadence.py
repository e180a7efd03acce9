"""The slash commands are registered once for every server, biweekly ones too: what Discord is
sent for ``/narrate-intros`` promises no weekly introductions and no "next week", and every
description fits Discord's 100 characters (options' included)."""

from __future__ import annotations

from typing import Any

from .conftest import Recorder


def _descriptions(command: dict[str, Any]) -> list[str]:
    found = [command["description"]]
    for option in command.get("options", []):
        found += _descriptions(option)
    return found


async def test_the_intros_command_tree_names_no_cadence(fake, connect):
    await connect(Recorder())
    (sync,) = fake.posted("/commands", method="PUT")
    for command in sync.body:
        assert all(len(d) <= 100 for d in _descriptions(command)), command["name"]
    intros = next(c for c in sync.body if c["name"] == "narrate-intros")
    assert intros["description"] == "Introductions across teams"
    # ``cadence`` names the choices, weekly among them; nothing else says how often rounds run.
    said = [d for o in intros["options"] if o["name"] != "cadence" for d in _descriptions(o)]
    assert not [d for d in said if "weekly" in d.lower() or "next week" in d.lower()], said
    skip = next(o for o in intros["options"] if o["name"] == "skip")
    assert skip["description"] == "No introductions for a while (empty: your next round)"
    assert skip["options"][0]["description"].startswith("Empty: your next round; 3w")
