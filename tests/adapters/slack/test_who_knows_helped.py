"""Who-knows "This helped" through the real Bolt app and a fake Slack.

An answer in a channel is for everyone there, but its "This helped" button is its asker's: it
comes to them alone (an ephemeral message), and a click, signed and sent as Slack sends it, counts
only when it comes from the asker. Anyone else's click (a copied value, a shared screen, a
crafted request) is refused and counts nothing.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, until


def _click(slack: SlackEnv, value: str, *, user: str, channel: str = "C1") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": f"t-{time.monotonic_ns()}",
        "channel": {"id": channel},
        "response_url": slack.fake.response_url(user),
        "container": {"type": "message"},
        "message": {"ts": "1.1"},
        "actions": [
            {
                "action_id": "narrate_cmd_0",
                "type": "button",
                "value": value,
                "block_id": "b",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["text"]["text"], e["value"])
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def _helped_at(slack: SlackEnv) -> list[Any]:
    async with slack.db.snapshot() as session:
        rows = await session.exec(  # type: ignore[call-overload]
            text("SELECT helped_at FROM who_knows_answer")
        )
        return [r[0] for r in rows.all()]


async def test_only_the_askers_click_counts(slack):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    await slack.command("kafka consumer lag fixed in billing", user="U2")
    await until(lambda: slack.fake.responses)
    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> who knows about kafka?",
        "ts": "1763800000.000200",
        "channel": "C1",
        "event_ts": "1763800000.000200",
    }
    await slack.event(mention, "Ev-who-helped")
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    [answer] = [c.params for c in slack.fake.called("chat.postMessage")]
    assert answer["channel"] == "C1" and answer["thread_ts"] == "1763800000.000200"
    assert _buttons(answer) == []  # everyone in the channel reads the answer, without a button
    [offer] = [c.params for c in slack.fake.called("chat.postEphemeral")]
    assert offer["user"] == "U1" and "Did this answer help?" in str(offer)
    [(label, value)] = _buttons(offer)
    assert label == "This helped" and value.startswith("/narrate helped wk")

    responded = len(slack.fake.responses)
    status, _, _ = await slack.interaction(_click(slack, value, user="U3"))
    assert status == 200
    await until(lambda: len(slack.fake.responses) > responded)
    refusal = slack.fake.responses[-1]
    assert "Only the person who asked can say this answer helped them" in refusal["text"]
    assert refusal.get("response_type", "ephemeral") == "ephemeral"
    assert await _helped_at(slack) == [None]

    await slack.interaction(_click(slack, value, user="U1"))
    await until(lambda: len(slack.fake.responses) > responded + 1)
    assert "Thanks: counted once" in slack.fake.responses[-1]["text"]
    [helped_at] = await _helped_at(slack)
    assert helped_at is not None
