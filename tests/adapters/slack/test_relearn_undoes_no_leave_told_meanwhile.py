"""A leave told while Slack's ``users.conversations`` answer is on its way is not undone by it.

Slack lists #vault for U2 (they are in it when it answers); before the core writes that list, U2
leaves #vault (or the bot is removed from it) and the event is stored. The list's add used to
land after the leave: U2 read #vault's narrations though they had left it (ADR 0004).
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_returning_person_relearns_channels import (
    VAULT,
    _asks,
    _away_and_back_in,
    _channels_of,
    _comes_back,
    _event,
)


async def _answered_then_held(slack: SlackEnv) -> asyncio.Event:
    """U2 back; Slack has computed users.conversations' first answer (U2 in #vault) and it is
    on the wire, held: whatever changes in Slack now, that answer stays as computed."""
    await _away_and_back_in(slack)
    held = slack.fake.holds["users.conversations"] = asyncio.Event()
    await _comes_back(slack)
    await until(lambda: any(c.method == "users.conversations" for c in slack.fake.calls))
    first = slack.fake.called("users.conversations")[0].params
    computed = slack.fake._answer("users.conversations", first)
    assert any(c["id"] == "G1" for c in computed["channels"])
    answer = slack.fake._answer
    sent: list[bool] = []

    def as_computed(method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "users.conversations" and not sent:
            sent.append(True)
            return computed
        return answer(method, params)

    slack.fake._answer = as_computed  # type: ignore[method-assign]
    return held


async def test_a_leave_stored_while_slacks_list_is_in_flight_is_not_undone(slack):
    held = await _answered_then_held(slack)
    slack.fake.members["G1"].remove("U2")
    left = {"type": "member_left_channel", "user": "U2", "channel": "G1", "channel_type": "G"}
    await _event(slack, left, "Ev-u2-leaves-vault-during-relearn")

    held.set()
    await slack.adapter.drain(timeout=math.inf)

    assert VAULT not in await _asks(slack, "U2", "vault")
    assert "G1" not in await _channels_of(slack, "U2")


async def test_the_bot_removed_while_slacks_list_is_in_flight_opens_nothing(slack):
    """The bot out of #vault: "nobody but their authors reads" its narrations (lifecycle
    ``_bot_membership``); a list Slack gave before must not make U2 a reader again."""
    held = await _answered_then_held(slack)
    slack.fake.members["G1"].remove("UBOT")
    left = {"type": "member_left_channel", "user": "UBOT", "channel": "G1", "channel_type": "G"}
    await _event(slack, left, "Ev-bot-leaves-vault-during-relearn")

    held.set()
    await slack.adapter.drain(timeout=math.inf)

    assert VAULT not in await _asks(slack, "U2", "vault")
    assert "G1" not in await _channels_of(slack, "U2")
