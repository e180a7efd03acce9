"""Payloads in Discord's documented shapes, through the real client, to core events.

Each file in tests/payloads/discord/ names a gateway event, its payload (and any events that
must come first), and the core event it must become, or ``null`` when the bot must ignore it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from narrate_bot.config import Settings
from narrate_bot.events import (
    ChannelDeleted,
    ChannelDescribed,
    CommandInvoked,
    FormSubmitted,
    MessageReceived,
)
from narrate_bot_adapters.discord.translate import button_command, component

from .conftest import FAST, Recorder, until

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "discord"
CASES = sorted(PAYLOADS.glob("*.json"))
KINDS = {
    cls.__name__: cls
    for cls in (CommandInvoked, FormSubmitted, MessageReceived, ChannelDescribed, ChannelDeleted)
}
QUIET_PERIOD = 0.3


def _subset(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _subset(actual[k], v) for k, v in expected.items()
        )
    return bool(actual == expected)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
async def test_payload_becomes_the_documented_core_event(fake, connect, path: Path):
    case = json.loads(path.read_text())
    core = Recorder()
    settings = Settings(discord=FAST.model_copy(update=case.get("settings", {})))
    await connect(core, settings)
    await until(lambda: core.of(ChannelDescribed))  # the guild was described at start
    await asyncio.sleep(0.05)
    core.events.clear()
    for name, data in case.get("before", []):
        await fake.dispatch(name, data)
    if case["event"] == "INTERACTION_CREATE" and case["expect"] is not None:
        # Must be answered by teardown; one the adapter leaves alone (not ours) is not.
        fake.sent_at[case["payload"]["id"]] = fake.now()
    await fake.dispatch(case["event"], case["payload"])
    expect = case["expect"]
    kinds = tuple(KINDS.values())
    if expect is None:
        await asyncio.sleep(QUIET_PERIOD)
        assert [e for e in core.events if isinstance(e, kinds)] == []
        return
    kind = KINDS[expect["type"]]
    await until(lambda: core.of(kind))
    event = core.of(kind)[0]
    dumped = event.model_dump(mode="json")
    assert _subset(dumped, expect["fields"]), dumped


def test_every_payload_file_is_exercised():
    assert len(CASES) >= 12
    assert {json.loads(p.read_text())["event"] for p in CASES} >= {
        "INTERACTION_CREATE",
        "MESSAGE_CREATE",
        "CHANNEL_CREATE",
        "CHANNEL_UPDATE",
        "CHANNEL_DELETE",
    }


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("narrate:/narrate share 3", (None, False, "/narrate share 3")),
        ("narrate@2000:/narrate met", (2000, False, "/narrate met")),
        ("narrate-form:narration", (None, True, "narration")),
        ("narrate-form@2000:narration", (2000, True, "narration")),
        ("poll:vote", None),
        ("narrate@abc:/narrate", None),
    ],
)
def test_component_ids_round_trip(custom_id, expected):
    parsed = component(custom_id)
    got = None if parsed is None else (parsed.guild_id, parsed.form, parsed.payload)
    assert got == expected


def test_button_commands_split_like_typed_commands():
    assert button_command("/narrate forget-me confirm") == ("narrate", "forget-me confirm")
    assert button_command("/narrate") == ("narrate", "")
    assert button_command("  ") is None
